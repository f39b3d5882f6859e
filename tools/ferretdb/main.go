// Command ferretdb runs an embedded FerretDB (v1.24, SQLite backend) that
// speaks the MongoDB wire protocol. It exists so that the Rust integration
// tests can talk to a real MongoDB-compatible server without a MongoDB
// installation.
//
// Usage:
//
//	ferretdb -data DIR [-listen 127.0.0.1:27017] [-remove-data-on-exit] [-watch-stdin=false] [-log-level warn]
//
// Once the listener is bound, one line "ferretdb listening on HOST:PORT" is
// printed to stdout (with "-listen 127.0.0.1:0" the chosen port is shown).
//
// By default the process exits when its standard input reaches EOF, so a
// parent process that keeps a pipe to our stdin takes us down with it when it
// dies. SIGINT and SIGTERM also stop it cleanly. Note that with the default
// -watch-stdin=true a closed or /dev/null stdin stops the process at once:
// for manual runs in the background use -watch-stdin=false.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// shutdownGrace bounds how long we wait for FerretDB to close client
// connections after a stop was requested (FerretDB itself gives clients a
// few seconds to disconnect).
const shutdownGrace = 10 * time.Second

func main() {
	os.Exit(run())
}

func run() int {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on (port 0 picks a free port)")
	dataDir := flag.String("data", "", "directory for the SQLite files (created if missing; required)")
	removeData := flag.Bool("remove-data-on-exit", false, "delete the data directory when the process ends")
	watchStdin := flag.Bool("watch-stdin", true, "exit when standard input reaches EOF")
	logLevel := flag.String("log-level", "warn", "FerretDB log level on stderr: debug, info, warn or error")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: %s -data DIR [flags]\n", filepath.Base(os.Args[0]))
		flag.PrintDefaults()
	}
	flag.Parse()

	if flag.NArg() != 0 {
		fmt.Fprintf(os.Stderr, "ferretdb: unexpected arguments: %q\n", flag.Args())
		flag.Usage()
		return 2
	}
	if *dataDir == "" {
		fmt.Fprintln(os.Stderr, "ferretdb: -data is required")
		flag.Usage()
		return 2
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: -log-level: %v\n", err)
		return 2
	}

	dir, err := filepath.Abs(*dataDir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		return 1
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: create data directory: %v\n", err)
		return 1
	}
	if *removeData {
		defer func() {
			if err := os.RemoveAll(dir); err != nil {
				fmt.Fprintf(os.Stderr, "ferretdb: remove data directory: %v\n", err)
			}
		}()
	}

	// FerretDB's SQLite backend wants a "file:" URI naming an existing
	// directory, with a trailing slash.
	sqliteURL := (&url.URL{Scheme: "file", Path: dir + "/", OmitHost: true}).String()

	// Keep FerretDB quiet: by default warnings and errors only, on stderr.
	// (At warn level FerretDB still dumps every command that fails with
	// ok:0, e.g. "not implemented yet"; use -log-level=error to hide those.)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(logger)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// The embedded package disables telemetry itself (there is no config
	// option for it) and makes no outbound connections.
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		return 1
	}

	if *watchStdin {
		go func() {
			// Read (and discard) until EOF or a read error, then stop.
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	// The listener is already bound once New returns, so the address is known.
	addr := *listen
	if u, err := url.Parse(f.MongoDBURI()); err == nil && u.Host != "" {
		addr = u.Host
	}
	fmt.Printf("ferretdb listening on %s\n", addr)

	select {
	case err = <-done:
		// Run returned without a stop request: should not happen.
		if err == nil {
			err = errors.New("stopped unexpectedly")
		}
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		return 1
	case <-ctx.Done():
	}

	select {
	case err = <-done:
		if err != nil {
			fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
			return 1
		}
		return 0
	case <-time.After(shutdownGrace):
		fmt.Fprintln(os.Stderr, "ferretdb: connections did not close in time; exiting anyway")
		return 1
	}
}
