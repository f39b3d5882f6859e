// Command composecheck validates a Compose file the way `docker compose`
// does, using the same library (compose-go): the file is checked against the
// Compose specification schema, interpolated, normalized and checked for
// consistency (e.g. depends_on targets exist, named volumes are declared).
//
// Usage:
//
//	composecheck [-q] FILE
//
// On success the normalized project is printed to stdout as JSON (unless -q)
// and the exit status is 0. On failure the loader's error is printed to
// stderr and the exit status is 1 (2 for bad usage).
//
// As with docker compose, variables are taken from the process environment
// and from a .env file next to FILE if one exists (none is required); an
// unset variable interpolates to an empty string with a warning on stderr.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
)

const projectName = "newsgraph"

func main() {
	os.Exit(run())
}

func run() int {
	quiet := flag.Bool("q", false, "only validate; do not print the normalized project")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: %s [-q] FILE\n", filepath.Base(os.Args[0]))
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		return 2
	}
	file := flag.Arg(0)

	abs, err := filepath.Abs(file)
	if err != nil {
		fmt.Fprintf(os.Stderr, "composecheck: %v\n", err)
		return 1
	}

	ctx := context.Background()
	opts, err := cli.NewProjectOptions(
		[]string{abs},
		cli.WithName(projectName),
		cli.WithWorkingDirectory(filepath.Dir(abs)),
		cli.WithOsEnv,
		cli.WithEnvFiles(), // the default .env next to the file, only if it exists
		cli.WithDotEnv,
		cli.WithDefaultProfiles(),
		cli.WithInterpolation(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		fmt.Fprintf(os.Stderr, "composecheck: %v\n", err)
		return 1
	}

	project, err := opts.LoadProject(ctx)
	if err != nil {
		fmt.Fprintf(os.Stderr, "composecheck: %s: %v\n", file, err)
		return 1
	}

	if *quiet {
		return 0
	}

	out, err := project.MarshalJSON()
	if err != nil {
		fmt.Fprintf(os.Stderr, "composecheck: marshal project: %v\n", err)
		return 1
	}
	if _, err := os.Stdout.Write(append(out, '\n')); err != nil {
		return 1
	}
	return 0
}
