//! GraphQL over websockets on `/graphql` (a `GET` with `Upgrade: websocket`):
//! subscriptions, and queries or mutations for clients that send everything
//! over one socket.
//!
//! Two subprotocols, picked from the client's `Sec-WebSocket-Protocol`:
//! `graphql-transport-ws` (the graphql-ws library's protocol) and the legacy
//! `graphql-ws` of Apollo's subscriptions-transport-ws. Frames are handled by
//! `actix-ws`; the protocol is implemented here rather than with
//! async-graphql's `WebSocket`, which has no `connection_init` timeout, no caps
//! on operations, never sends an `error` message (a bad query comes back as
//! `next` + `complete`) and buffers outgoing messages without bound. Messages
//! are parsed with async-graphql's `ClientMessage`, and operations run through
//! the same admission and schema as HTTP (`Admission::admit`, then
//! `Schema::execute_stream`), so every query limit (tokens, aliases,
//! directives, depth, cost, introspection) applies alike.
//!
//! Limits and close codes:
//!
//! | when | what happens |
//! | --- | --- |
//! | the `Origin` is neither this host nor a `NEWSGRAPH_CORS_ORIGINS` one | 403, no upgrade |
//! | no subprotocol we speak | 400, no upgrade |
//! | no `connection_init` within `NEWSGRAPH_WS_INIT_TIMEOUT_MS` | close 4408 |
//! | a second `connection_init` | close 4429 |
//! | `subscribe` before the `connection_ack` | close 4401 |
//! | an unreadable message | close 4400 |
//! | `subscribe` with an id still running | close 4409 (`graphql-ws`: an `error` message) |
//! | more than `NEWSGRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION` or `NEWSGRAPH_MAX_SUBSCRIPTIONS` open | an `error` message for that subscribe (`TOO_MANY_SUBSCRIPTIONS`) |
//! | a query or filter that fails to parse, validate or convert | an `error` message for that operation |
//! | more operations started than `NEWSGRAPH_RATE_LIMIT` allows the client (counted with its HTTP requests) | an `error` message for that subscribe (`RATE_LIMITED`) |
//! | `NEWSGRAPH_WS_SEND_BUFFER` messages waiting for the client, and none taken for a second | close 1013 (slow consumer) |
//!
//! Each connection's outgoing messages wait in one bounded queue in front of
//! the socket, so a client that stops reading costs at most that queue (plus
//! the socket's buffers). A burst may fill it; when it stays full for a second
//! the client is closed with 1013, "try again later", which graphql-ws
//! clients treat as retryable. Keep-alive: a websocket ping
//! every `NEWSGRAPH_WS_KEEPALIVE_MS` (`graphql-ws`: a `ka` message).

use super::AppState;
use crate::graphql::access::{Caller, caller_from_header};
use crate::graphql::codes::Admission;
use crate::graphql::prepare_request;
use crate::graphql::subscriptions::PendingListener;
use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, HOST, ORIGIN, SEC_WEBSOCKET_PROTOCOL};
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason, Session};
use async_graphql::http::{ClientMessage, WebSocketProtocols as Protocols};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// The subprotocols spoken, preferred first.
pub const PROTOCOLS: [&str; 2] = ["graphql-transport-ws", "graphql-ws"];

/// Close codes this server sends.
pub mod close {
    /// An unreadable or unknown message.
    pub const BAD_REQUEST: u16 = 4400;
    /// `subscribe` before the connection was acknowledged.
    pub const UNAUTHORIZED: u16 = 4401;
    /// No `connection_init` within the timeout.
    pub const INIT_TIMEOUT: u16 = 4408;
    /// `subscribe` with the id of an operation still running.
    pub const SUBSCRIBER_EXISTS: u16 = 4409;
    /// A second `connection_init`.
    pub const TOO_MANY_INITIALISATIONS: u16 = 4429;
    /// The client let its send buffer stay full for a second.
    pub const SLOW_CONSUMER: u16 = 1013;
}

/// The code of the `error` message for a subscribe over a cap.
pub const TOO_MANY_SUBSCRIPTIONS: &str = "TOO_MANY_SUBSCRIPTIONS";

/// How long a full send queue may stay full before the client counts as slow.
const SEND_WAIT: Duration = Duration::from_secs(1);

/// How long a close frame may wait for room in front of a client that does
/// not read, before the connection is dropped without one.
const CLOSE_WAIT: Duration = Duration::from_secs(30);

/// The limits of websocket connections.
#[derive(Debug, Clone, Copy)]
pub struct WsLimits {
    pub init_timeout: Duration,
    pub keepalive: Duration,
    pub max_per_connection: usize,
    pub max_per_server: usize,
    /// Messages that may wait for one client.
    pub send_buffer: usize,
}

/// The operations open on this server, over all connections.
#[derive(Clone, Default)]
pub struct OpenOperations(Arc<AtomicUsize>);

impl OpenOperations {
    /// A slot for one more operation, unless `max` are open.
    fn reserve(&self, max: usize) -> Option<Slot> {
        self.0.fetch_update(Ordering::AcqRel, Ordering::Acquire, |open| (open < max).then_some(open + 1)).ok()?;
        Some(Slot(self.0.clone()))
    }

    /// How many are open.
    pub fn count(&self) -> usize {
        self.0.load(Ordering::Acquire)
    }
}

/// One open operation's place under the server cap, given back when dropped.
struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Whether a browser page at `origin` may open a websocket here: no `Origin`
/// (not a browser), this server's own host, or an origin CORS allows.
pub fn origin_allowed(origin: Option<&str>, host: Option<&str>, allowed: &[String]) -> bool {
    let Some(origin) = origin.map(str::trim) else {
        return true;
    };
    if allowed.iter().map(|a| a.trim()).any(|a| a == "*" || a.eq_ignore_ascii_case(origin)) {
        return true;
    }
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    matches!((origin_host, host), (Some(origin_host), Some(host)) if origin_host.eq_ignore_ascii_case(host.trim()))
}

/// The first subprotocol the client offers that we speak (what actix-ws answers with).
fn chosen_protocol(req: &HttpRequest) -> Option<Protocols> {
    req.headers()
        .get_all(SEC_WEBSOCKET_PROTOCOL)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .find(|offered| PROTOCOLS.contains(offered))
        .and_then(|offered| offered.parse().ok())
}

fn refusal(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({ "errors": [{ "message": message, "extensions": { "code": code } }] }))
}

/// `GET /graphql` with `Upgrade: websocket`.
pub async fn upgrade(state: web::Data<AppState>, req: HttpRequest, body: web::Payload) -> HttpResponse {
    let header = |name| req.headers().get(name).and_then(|v: &actix_web::http::header::HeaderValue| v.to_str().ok());
    if !origin_allowed(header(ORIGIN), header(HOST), &state.cors_origins) {
        return refusal(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "websockets are accepted from this server's own pages and the origins in NEWSGRAPH_CORS_ORIGINS",
        );
    }
    let Some(protocol) = chosen_protocol(&req) else {
        return refusal(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "offer the `graphql-transport-ws` or `graphql-ws` subprotocol (Sec-WebSocket-Protocol)",
        );
    };
    let caller = caller_from_header(header(AUTHORIZATION));
    let (response, session, messages) = match actix_ws::handle_with_protocols(&req, body, &PROTOCOLS) {
        Ok(parts) => parts,
        Err(error) => return error.error_response(),
    };
    let messages = messages
        .max_frame_size(state.max_body_bytes)
        .aggregate_continuations()
        .max_continuation_size(state.max_body_bytes);
    let limits = state.websocket;
    let (out, out_rx) = mpsc::channel(limits.send_buffer);
    let (close_tx, close_rx) = oneshot::channel();
    let (control, control_rx) = mpsc::channel(1);
    let (done, done_rx) = mpsc::unbounded_channel();
    actix_web::rt::spawn(write(session, out_rx, close_rx));
    let connection = Connection {
        state: state.clone(),
        protocol,
        caller,
        peer: req.peer_addr().map(|a| a.ip()),
        limits,
        out,
        control,
        done,
        operations: HashMap::new(),
        acked: false,
    };
    actix_web::rt::spawn(connection.run(messages, close_tx, control_rx, done_rx));
    response
}

/// What waits to be written to the client.
enum Out {
    Text(String),
    Ping,
    Pong(web::Bytes),
}

/// Why a message could not be queued.
#[derive(Debug, PartialEq, Eq)]
enum Unsent {
    /// The queue is full: the client is not reading.
    Full,
    /// The connection is closing.
    Closed,
}

/// Queues a message; when the queue is full, waits up to [`SEND_WAIT`] for
/// room (a burst of events is normal; a queue that stays full is a client
/// that does not read).
async fn queue(out: &mpsc::Sender<Out>, message: Out) -> Result<(), Unsent> {
    let message = match out.try_send(message) {
        Ok(()) => return Ok(()),
        Err(mpsc::error::TrySendError::Closed(_)) => return Err(Unsent::Closed),
        Err(mpsc::error::TrySendError::Full(message)) => message,
    };
    match tokio::time::timeout(SEND_WAIT, out.send(message)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(Unsent::Closed),
        Err(_) => Err(Unsent::Full),
    }
}

fn reason(code: u16, description: impl Into<String>) -> CloseReason {
    CloseReason { code: CloseCode::Other(code), description: Some(description.into()) }
}

fn slow_consumer(buffer: usize) -> CloseReason {
    reason(close::SLOW_CONSUMER, format!("slow consumer: {buffer} messages waited over a second"))
}

/// The writer: sends queued messages as the socket takes them, then the close frame.
async fn write(mut session: Session, mut out: mpsc::Receiver<Out>, mut close: oneshot::Receiver<Option<CloseReason>>) {
    let closer = session.clone();
    let finish = |closer: Session, reason: Option<CloseReason>| async move {
        if tokio::time::timeout(CLOSE_WAIT, closer.close(reason)).await.is_err() {
            tracing::info!(
                "a websocket client read nothing for {} s; dropped without a close frame",
                CLOSE_WAIT.as_secs()
            );
        }
    };
    loop {
        let next = tokio::select! {
            biased;
            reason = &mut close => return finish(closer.clone(), reason.unwrap_or(None)).await,
            next = out.recv() => next,
        };
        let Some(next) = next else {
            return finish(closer.clone(), None).await;
        };
        let sent = tokio::select! {
            biased;
            reason = &mut close => return finish(closer.clone(), reason.unwrap_or(None)).await,
            sent = async {
                match next {
                    Out::Text(text) => session.text(text).await,
                    Out::Ping => session.ping(b"").await,
                    Out::Pong(bytes) => session.pong(&bytes).await,
                }
            } => sent,
        };
        if sent.is_err() {
            return;
        }
    }
}

/// A slow-consumer signal from an operation.
struct SlowConsumer;

/// One websocket connection's protocol state.
struct Connection {
    state: web::Data<AppState>,
    protocol: Protocols,
    caller: Caller,
    /// The client's address, for the rate limit.
    peer: Option<std::net::IpAddr>,
    limits: WsLimits,
    out: mpsc::Sender<Out>,
    control: mpsc::Sender<SlowConsumer>,
    done: mpsc::UnboundedSender<String>,
    operations: HashMap<String, JoinHandle<()>>,
    acked: bool,
}

impl Connection {
    async fn run(
        mut self,
        mut messages: actix_ws::AggregatedMessageStream,
        close: oneshot::Sender<Option<CloseReason>>,
        mut control: mpsc::Receiver<SlowConsumer>,
        mut done: mpsc::UnboundedReceiver<String>,
    ) {
        let init_deadline = Instant::now() + self.limits.init_timeout;
        let mut keepalive = tokio::time::interval_at(Instant::now() + self.limits.keepalive, self.limits.keepalive);
        keepalive.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let reason = loop {
            tokio::select! {
                biased;
                _ = tokio::time::sleep_until(init_deadline), if !self.acked => {
                    break Some(reason(close::INIT_TIMEOUT, "Connection initialisation timeout"));
                }
                Some(SlowConsumer) = control.recv() => break Some(slow_consumer(self.limits.send_buffer)),
                // Before client messages: a finished operation's id is free
                // again by the time the client can have read its `complete`.
                Some(id) = done.recv() => {
                    self.operations.remove(&id);
                }
                _ = keepalive.tick() => {
                    if let Err(reason) = self.keepalive().await {
                        break reason;
                    }
                }
                message = messages.next() => {
                    let outcome = match message {
                        None | Some(Err(_)) | Some(Ok(AggregatedMessage::Close(_))) => Err(None),
                        Some(Ok(AggregatedMessage::Text(text))) => self.receive(text.as_bytes()).await,
                        Some(Ok(AggregatedMessage::Binary(bytes))) => self.receive(&bytes).await,
                        Some(Ok(AggregatedMessage::Ping(bytes))) => self.send(Out::Pong(bytes)).await,
                        Some(Ok(AggregatedMessage::Pong(_))) => Ok(()),
                    };
                    if let Err(reason) = outcome {
                        break reason;
                    }
                }
            }
        };
        for (_, operation) in self.operations.drain() {
            operation.abort();
        }
        match &reason {
            Some(reason) => {
                let code = u16::from(reason.code);
                crate::metrics::websocket_closed(code);
                tracing::info!(code, "closing a websocket connection");
            }
            None => tracing::debug!("a websocket connection ended"),
        }
        let _ = close.send(reason);
    }

    /// Queues a message; a full queue closes the connection as a slow consumer.
    async fn send(&self, message: Out) -> Result<(), Option<CloseReason>> {
        queue(&self.out, message).await.map_err(|unsent| match unsent {
            Unsent::Full => Some(slow_consumer(self.limits.send_buffer)),
            Unsent::Closed => None,
        })
    }

    async fn send_json(&self, message: Value) -> Result<(), Option<CloseReason>> {
        self.send(Out::Text(message.to_string())).await
    }

    async fn keepalive(&self) -> Result<(), Option<CloseReason>> {
        match self.protocol {
            Protocols::GraphQLWS => self.send(Out::Ping).await,
            Protocols::SubscriptionsTransportWS if self.acked => self.send_json(json!({ "type": "ka" })).await,
            Protocols::SubscriptionsTransportWS => Ok(()),
        }
    }

    /// An `error` message for operation `id`, which does not start.
    async fn refuse(&self, id: &str, message: String, code: &str) -> Result<(), Option<CloseReason>> {
        let errors = json!([{ "message": message, "extensions": { "code": code } }]);
        self.send_json(json!({ "type": "error", "id": id, "payload": errors })).await
    }

    /// Handles one client message.
    async fn receive(&mut self, raw: &[u8]) -> Result<(), Option<CloseReason>> {
        let Ok(message) = serde_json::from_slice::<ClientMessage>(raw) else {
            return Err(Some(reason(close::BAD_REQUEST, "Invalid message received")));
        };
        match message {
            ClientMessage::ConnectionInit { payload } => {
                if self.acked {
                    return Err(Some(reason(close::TOO_MANY_INITIALISATIONS, "Too many initialisation requests")));
                }
                self.acked = true;
                // Browsers cannot set headers on a websocket: a key may come in the payload.
                let key = payload.as_ref().and_then(|p| p.get("Authorization").or_else(|| p.get("authorization")));
                if let Some(key) = key.and_then(Value::as_str) {
                    self.caller = caller_from_header(Some(key));
                }
                self.send_json(json!({ "type": "connection_ack" })).await?;
                if self.protocol == Protocols::SubscriptionsTransportWS {
                    self.send_json(json!({ "type": "ka" })).await?;
                }
                Ok(())
            }
            ClientMessage::Start { id, payload } => self.start(id, payload).await,
            ClientMessage::Stop { id } => {
                if let Some(operation) = self.operations.remove(&id) {
                    operation.abort();
                }
                Ok(())
            }
            ClientMessage::ConnectionTerminate => Err(Some(CloseReason::from(CloseCode::Normal))),
            ClientMessage::Ping { .. } if self.protocol == Protocols::GraphQLWS => {
                self.send_json(json!({ "type": "pong" })).await
            }
            ClientMessage::Ping { .. } | ClientMessage::Pong { .. } => Ok(()),
        }
    }

    /// Starts operation `id`, within the caps.
    async fn start(&mut self, id: String, request: async_graphql::Request) -> Result<(), Option<CloseReason>> {
        if !self.acked {
            return Err(Some(reason(close::UNAUTHORIZED, "Unauthorized")));
        }
        if self.operations.get(&id).is_some_and(|operation| !operation.is_finished()) {
            return match self.protocol {
                Protocols::GraphQLWS => {
                    Err(Some(reason(close::SUBSCRIBER_EXISTS, format!("Subscriber for {id} already exists"))))
                }
                Protocols::SubscriptionsTransportWS => {
                    self.refuse(&id, "an operation with this id is already running".into(), "BAD_REQUEST").await
                }
            };
        }
        // Every operation started over the socket takes from the same per-client
        // budget as an HTTP request, so a socket is no way around the rate limit.
        if let Some(limit) = &self.state.rate_limit
            && let Err(seconds) = limit.check(&self.caller, self.peer)
        {
            crate::metrics::reject(crate::metrics::Rejection::Rate);
            return self.refuse(&id, format!("too many requests; retry in {seconds} s"), "RATE_LIMITED").await;
        }
        self.operations.retain(|_, operation| !operation.is_finished());
        if self.operations.len() >= self.limits.max_per_connection {
            let message =
                format!("at most {} operations may be open on one connection", self.limits.max_per_connection);
            return self.refuse(&id, message, TOO_MANY_SUBSCRIPTIONS).await;
        }
        let Some(slot) = self.state.open_operations.reserve(self.limits.max_per_server) else {
            let message = "the server has as many subscriptions open as it accepts; try again later".to_owned();
            return self.refuse(&id, message, TOO_MANY_SUBSCRIPTIONS).await;
        };
        // Registered now, so that no write acknowledged after this message is
        // missed; and starting after the sequence's end as of now, so that no
        // write from before it is announced. Later messages wait for this.
        let mut listener = self.state.feed.listen();
        match self.state.store.last_change_seq().await {
            Ok(seq) => listener = listener.starting_after(seq),
            Err(error) => tracing::warn!(%error, "cannot read where the write sequence ends; a new subscription may \
                                                  receive events from just before it"),
        }
        let mut request = request;
        // Persisted documents by `extensions.persistedQuery` (the payload has
        // no other id). Registering one takes a POST: documents sent here are
        // not remembered.
        let admitted = match self.state.persisted.resolve(&mut request, &Default::default()) {
            Ok(_) => self.state.admission.admit(&mut request),
            Err(error) => Err(Box::new(async_graphql::Response::from_errors(vec![error]))),
        };
        let stream = match admitted {
            Ok(_) => {
                let request = prepare_request(request, self.state.store.clone(), self.caller.clone())
                    .data(PendingListener::new(listener));
                self.state.schema.execute_stream(request).map(Admission::codes).boxed()
            }
            Err(refused) => futures_util::stream::once(std::future::ready(*refused)).boxed(),
        };
        let task = actix_web::rt::spawn(operation(
            id.clone(),
            self.protocol,
            stream,
            self.out.clone(),
            self.control.clone(),
            self.done.clone(),
            slot,
        ));
        self.operations.insert(id, task);
        Ok(())
    }
}

/// The message that carries one result of operation `id`.
fn next_message(protocol: Protocols, id: &str, response: &async_graphql::Response) -> Value {
    let kind = match protocol {
        Protocols::GraphQLWS => "next",
        Protocols::SubscriptionsTransportWS => "data",
    };
    json!({ "type": kind, "id": id, "payload": response })
}

/// Runs one operation: each result as `next` (`data`), then `complete`; a
/// result that is only errors (the operation could not run) as `error`.
async fn operation(
    id: String,
    protocol: Protocols,
    mut stream: BoxStream<'static, async_graphql::Response>,
    out: mpsc::Sender<Out>,
    control: mpsc::Sender<SlowConsumer>,
    done: mpsc::UnboundedSender<String>,
    _slot: Slot,
) {
    let outcome = loop {
        let Some(response) = stream.next().await else {
            break queue(&out, Out::Text(json!({ "type": "complete", "id": id }).to_string())).await;
        };
        if !response.errors.is_empty() && response.data == async_graphql::Value::Null {
            let message = json!({ "type": "error", "id": id, "payload": response.errors });
            break queue(&out, Out::Text(message.to_string())).await;
        }
        if let Err(unsent) = queue(&out, Out::Text(next_message(protocol, &id, &response).to_string())).await {
            break Err(unsent);
        }
    };
    if outcome == Err(Unsent::Full) {
        let _ = control.try_send(SlowConsumer);
    }
    let _ = done.send(id);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_allowed_are_none_the_same_host_and_the_cors_list() {
        let cors = vec!["https://dash.example.org".to_owned()];
        assert!(origin_allowed(None, Some("127.0.0.1:8080"), &[]));
        assert!(origin_allowed(Some("http://127.0.0.1:8080"), Some("127.0.0.1:8080"), &[]));
        assert!(origin_allowed(Some("https://dash.example.org"), Some("api.example.org"), &cors));
        assert!(!origin_allowed(Some("https://evil.example"), Some("127.0.0.1:8080"), &cors));
        assert!(!origin_allowed(Some("http://127.0.0.1:9999"), Some("127.0.0.1:8080"), &[]));
        assert!(!origin_allowed(Some("null"), Some("127.0.0.1:8080"), &[]));
        assert!(origin_allowed(Some("https://anything.example"), None, &["*".to_owned()]));
    }

    #[test]
    fn the_server_cap_gives_slots_back() {
        let open = OpenOperations::default();
        let first = open.reserve(2);
        let second = open.reserve(2);
        assert!(first.is_some() && second.is_some());
        assert!(open.reserve(2).is_none(), "a third slot over a cap of two");
        drop(first);
        assert_eq!(open.count(), 1);
        assert!(open.reserve(2).is_some());
    }
}
