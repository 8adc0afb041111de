//! Python's `multiprocessing.connection` on a TCP stream: frames, and the authkey handshake.
//!
//! - **Frames**: a 4-byte big-endian signed length, then the payload; a length of -1 announces
//!   an 8-byte length. We accept at most [`MAX_FRAME`] bytes ([`MAX_AUTH_FRAME`] during the
//!   handshake, as Python), so a peer cannot make us allocate without end.
//! - **Handshake**, both directions on every connection: the server challenges, the client
//!   answers, then the client challenges the server. The key never crosses the wire, and a
//!   recorded answer is useless against the next challenge. Two styles exist:
//!   - up to Python 3.11: `#CHALLENGE#` + 20 random bytes, answered by the raw 16-byte
//!     HMAC-MD5 of those bytes;
//!   - Python 3.12 and later: `#CHALLENGE#{sha256}` + 40 random bytes, answered by `{sha256}` +
//!     HMAC-SHA256 of everything after `#CHALLENGE#`.
//!
//!   We send the modern challenge (a 3.11 peer answers it with HMAC-MD5 of the whole message,
//!   which we accept, as Python 3.12 does), and answer each challenge in the style it was asked.
//!   Then `#WELCOME#` or `#FAILURE#`.

use crate::{Error, Result};
use hmac::{Hmac, Mac};
use md5::Md5;
use sha2::Sha256;
use std::io::{self, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The largest frame we accept once authenticated: Python's requests here are under 100 bytes.
pub const MAX_FRAME: usize = 64 * 1024;
/// The largest frame we accept during the handshake (Python's `recv_bytes(256)`).
pub const MAX_AUTH_FRAME: usize = 256;

/// How long a connection may be silent before the peer's host is asked whether it is still
/// there (a TCP keepalive probe), how often it is asked again, and how many unanswered probes
/// mean it is gone: 2 s + 3 × 1 s, so that a vanished host is noticed within about 5 s.
pub const KEEPALIVE_IDLE: Duration = Duration::from_secs(2);
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(1);
const KEEPALIVE_PROBES: u32 = 3;
/// How long a vanished peer's host may go unnoticed: the idle time, then every probe unanswered
/// (2 s + 3 x 1 s). `Duration * u32` is not const, so the sum is written out; a test checks it.
pub const KEEPALIVE_WINDOW: Duration = Duration::from_secs(5);

const CHALLENGE: &[u8] = b"#CHALLENGE#";
const WELCOME: &[u8] = b"#WELCOME#";
const FAILURE: &[u8] = b"#FAILURE#";

/// One TCP connection carrying frames.
pub struct Connection {
    reader: BufReader<Socket>,
}

/// The socket, shared (not duplicated: one file descriptor) with whoever may have to close it
/// from another thread, and the deadline its reads must meet.
struct Socket {
    stream: Arc<TcpStream>,
    deadline: Option<Instant>,
    /// Whether the socket's read timeout is set (to meet the deadline).
    timed: bool,
}

/// How long a read keeps asking for data before it blocks (see [`Socket::poll_briefly`]).
const POLL_BEFORE_BLOCKING: Duration = Duration::from_micros(50);

impl Socket {
    /// Asks for data again and again, without blocking, for at most
    /// [`POLL_BEFORE_BLOCKING`]: `None` if none came. Why: a peer's reply usually comes within
    /// a few microseconds, and a thread that blocks for it gives its core back; waking it again
    /// takes the other core an interrupt and, on a virtual machine of two cores, tens of
    /// microseconds, several times the exchange itself. Polling for that long keeps the core,
    /// and a worker's `get` and `put` follow each other at the speed of the loopback, steadily.
    fn poll_briefly(&mut self, buf: &mut [u8]) -> io::Result<Option<usize>> {
        self.stream.set_nonblocking(true)?;
        let started = Instant::now();
        let got = loop {
            match (&*self.stream).read(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if started.elapsed() >= POLL_BEFORE_BLOCKING {
                        break Ok(None);
                    }
                    std::hint::spin_loop();
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                other => break other.map(Some),
            }
        };
        self.stream.set_nonblocking(false)?;
        got
    }
}

impl Read for Socket {
    /// One read, given only the time left before the deadline: a peer that sends one byte a
    /// second cannot stretch a deadline the way it stretches a per-read timeout.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(n) = self.poll_briefly(buf)? {
            return Ok(n);
        }
        match self.deadline {
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(DeadlinePassed.into());
                }
                self.stream.set_read_timeout(Some(left))?;
                self.timed = true;
                // The read timeout ran out: EAGAIN on Unix, WSAETIMEDOUT on Windows. (On Unix,
                // ETIMEDOUT is something else: the peer's host stopped answering.)
                let ran_out = |e: &io::Error| {
                    e.kind() == io::ErrorKind::WouldBlock
                        || (cfg!(windows) && e.kind() == io::ErrorKind::TimedOut)
                };
                return (&*self.stream).read(buf).map_err(|e| {
                    if ran_out(&e) {
                        DeadlinePassed.into()
                    } else {
                        e
                    }
                });
            }
            None if self.timed => {
                self.stream.set_read_timeout(None)?;
                self.timed = false;
            }
            None => {}
        }
        (&*self.stream).read(buf)
    }
}

/// A read that did not meet its deadline ([`Connection::set_deadline`]); see [`Error::is_timeout`].
#[derive(Debug)]
pub(crate) struct DeadlinePassed;

impl std::fmt::Display for DeadlinePassed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("deadline passed")
    }
}

impl std::error::Error for DeadlinePassed {}

impl From<DeadlinePassed> for io::Error {
    fn from(e: DeadlinePassed) -> io::Error {
        io::Error::new(io::ErrorKind::TimedOut, e)
    }
}

/// Makes the system notice by itself a peer whose host has vanished (its power, its network, a
/// laptop lid): such a peer sends no goodbye, and a connection that waits for it would wait for
/// ever, holding the task its worker took. Why TCP keepalive: Python's wire has no heartbeat to
/// add (the tutorial's scripts must keep working as they are), and a lease on each task would
/// have to guess how long a task may take; a keepalive probe is answered by the peer's kernel
/// however long its worker computes, and it crosses the wire as TCP, invisible to Python. And
/// on Linux, TCP_USER_TIMEOUT: data the peer has not acknowledged within the same 5 s also
/// means it is gone (keepalive probes only an idle connection). The cost of a false alarm, a
/// network that stalls for longer than that: the task is given back and may run twice.
fn notice_a_vanished_peer(stream: &TcpStream) {
    let socket = socket2::SockRef::from(stream);
    let plain = socket2::TcpKeepalive::new().with_time(KEEPALIVE_IDLE);
    #[cfg(any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "windows"
    ))]
    let keepalive = plain
        .clone()
        .with_interval(KEEPALIVE_INTERVAL)
        .with_retries(KEEPALIVE_PROBES);
    #[cfg(not(any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "windows"
    )))]
    let keepalive = plain.clone();
    // A system that refuses the finer timers (Wine refuses the count of probes) gets the plain
    // keepalive, which notices later; one that refuses that too, none: the connection works the
    // same, it only waits longer for a peer that vanished.
    if socket.set_tcp_keepalive(&keepalive).is_err() {
        let _ = socket.set_tcp_keepalive(&plain);
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    let _ = socket.set_tcp_user_timeout(Some(KEEPALIVE_WINDOW));
}

impl Connection {
    /// A connection on `stream`; a write that cannot go out within `write_wait` (a peer that
    /// does not read) fails, and a peer whose host has vanished is noticed within about 5 s
    /// ([`KEEPALIVE_IDLE`]).
    pub fn new(stream: Arc<TcpStream>, write_wait: Duration) -> Result<Connection> {
        stream.set_nodelay(true)?;
        stream.set_write_timeout(Some(write_wait))?;
        notice_a_vanished_peer(&stream);
        let socket = Socket {
            stream,
            deadline: None,
            timed: false,
        };
        Ok(Connection {
            reader: BufReader::new(socket),
        })
    }

    /// Every read from now on must be done by `deadline` (`None`: no deadline).
    pub fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.reader.get_mut().deadline = deadline;
    }

    /// The socket, to close it from another thread.
    pub fn socket(&self) -> &Arc<TcpStream> {
        &self.reader.get_ref().stream
    }

    /// Sends one frame (header and payload in one write, like Python for small frames).
    pub fn send_bytes(&mut self, payload: &[u8]) -> Result<()> {
        let mut frame = Vec::with_capacity(payload.len() + 12);
        match i32::try_from(payload.len()) {
            Ok(n) => frame.extend(n.to_be_bytes()),
            Err(_) => {
                frame.extend((-1i32).to_be_bytes());
                frame.extend((payload.len() as u64).to_be_bytes());
            }
        }
        frame.extend(payload);
        Ok((&*self.reader.get_ref().stream).write_all(&frame)?)
    }

    /// Receives one frame of at most `max` bytes; `Ok(None)` if the peer closed the connection
    /// between frames. A longer frame is [`Error::Protocol`], and not read: the connection
    /// cannot be used any more.
    pub fn recv_bytes(&mut self, max: usize) -> Result<Option<Vec<u8>>> {
        let mut header = [0u8; 4];
        let first = loop {
            match self.reader.read(&mut header[..1]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            }
        };
        if first == 0 {
            return Ok(None);
        }
        self.reader.read_exact(&mut header[1..]).map_err(cut)?;
        let len = match i32::from_be_bytes(header) {
            -1 => {
                let mut long = [0u8; 8];
                self.reader.read_exact(&mut long).map_err(cut)?;
                u64::from_be_bytes(long)
            }
            n if n < 0 => {
                return Err(Error::Protocol(format!("a frame of negative length {n}")));
            }
            n => n as u64,
        };
        if len > max as u64 {
            return Err(Error::Protocol(format!(
                "a frame of {len} bytes, more than the {max} accepted"
            )));
        }
        let mut payload = vec![0u8; len as usize];
        self.reader.read_exact(&mut payload).map_err(cut)?;
        Ok(Some(payload))
    }

    /// A frame that must come (the handshake): a closed connection is an error.
    fn recv_auth(&mut self) -> Result<Vec<u8>> {
        self.recv_bytes(MAX_AUTH_FRAME)?.ok_or_else(|| {
            let eof = io::ErrorKind::UnexpectedEof;
            io::Error::new(eof, "closed the connection during the handshake").into()
        })
    }
}

fn cut(e: io::Error) -> Error {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        io::Error::new(e.kind(), "closed the connection in the middle of a frame").into()
    } else {
        e.into()
    }
}

/// Challenges the peer: sends `#CHALLENGE#{sha256}` and 40 random bytes, checks the answer,
/// says `#WELCOME#` or `#FAILURE#`: [`Error::WrongKey`] if the peer does not know the key.
pub fn deliver_challenge(conn: &mut Connection, key: &[u8]) -> Result<()> {
    let mut message = b"{sha256}".to_vec();
    let mut nonce = [0u8; 40];
    getrandom::getrandom(&mut nonce)
        .map_err(|e| Error::Failed(format!("no random bytes for a challenge: {e}")))?;
    message.extend(nonce);
    conn.send_bytes(&[CHALLENGE, &message].concat())?;
    let response = conn.recv_auth()?;
    if verify_response(key, &message, &response) {
        conn.send_bytes(WELCOME)?;
        Ok(())
    } else {
        let _ = conn.send_bytes(FAILURE);
        Err(Error::WrongKey)
    }
}

/// Answers the peer's challenge, in the style it was asked, and reads its verdict:
/// [`Error::Refused`] if it does not take our key.
pub fn answer_challenge(conn: &mut Connection, key: &[u8]) -> Result<()> {
    let challenge = conn.recv_auth()?;
    let Some(message) = challenge.strip_prefix(CHALLENGE) else {
        let why = "expected a challenge, not Python's manager protocol";
        return Err(Error::Protocol(why.into()));
    };
    conn.send_bytes(&create_response(key, message)?)?;
    match conn.recv_auth()? {
        verdict if verdict == WELCOME => Ok(()),
        verdict if verdict == FAILURE => Err(Error::Refused),
        _ => Err(Error::Protocol("neither #WELCOME# nor #FAILURE#".into())),
    }
}

fn md5(key: &[u8]) -> Hmac<Md5> {
    Hmac::<Md5>::new_from_slice(key).expect("HMAC takes a key of any length")
}

fn sha256(key: &[u8]) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length")
}

/// The digest a message names with its `{name}` prefix, and the rest; `None` for the legacy
/// style (a bare 16- or 20-byte message, HMAC-MD5).
fn digest_name(message: &[u8]) -> Result<Option<(&str, &[u8])>> {
    if message.len() == 16 || message.len() == 20 {
        return Ok(None);
    }
    for name in ["md5", "sha256"] {
        if let Some(rest) = message.strip_prefix(format!("{{{name}}}").as_bytes()) {
            return Ok(Some((name, rest)));
        }
    }
    Err(Error::Protocol(format!(
        "a challenge or answer of {} bytes without a digest we support (md5, sha256)",
        message.len()
    )))
}

/// Our answer to a challenge `message` (what follows `#CHALLENGE#`): the raw HMAC-MD5 for the
/// legacy style, else `{name}` and the HMAC named, over the whole message.
pub fn create_response(key: &[u8], message: &[u8]) -> Result<Vec<u8>> {
    Ok(match digest_name(message)? {
        None => md5(key)
            .chain_update(message)
            .finalize()
            .into_bytes()
            .to_vec(),
        Some(("md5", _)) => [
            b"{md5}",
            &md5(key).chain_update(message).finalize().into_bytes()[..],
        ]
        .concat(),
        Some(_) => [
            b"{sha256}",
            &sha256(key).chain_update(message).finalize().into_bytes()[..],
        ]
        .concat(),
    })
}

/// Checks an answer to our challenge `message`, in constant time: a bare 16 bytes is
/// HMAC-MD5 (Python up to 3.11), `{sha256}` or `{md5}` names the digest (3.12 and later).
pub fn verify_response(key: &[u8], message: &[u8], response: &[u8]) -> bool {
    match digest_name(response) {
        Ok(None) => md5(key)
            .chain_update(message)
            .verify_slice(response)
            .is_ok(),
        Ok(Some(("md5", mac))) => md5(key).chain_update(message).verify_slice(mac).is_ok(),
        Ok(Some((_, mac))) => sha256(key).chain_update(message).verify_slice(mac).is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{self, unhex};
    use std::net::TcpListener;

    #[test]
    fn the_keepalive_window_is_its_parts() {
        assert_eq!(
            KEEPALIVE_WINDOW,
            KEEPALIVE_IDLE + KEEPALIVE_INTERVAL * KEEPALIVE_PROBES
        );
    }

    /// Python 3.11 answering the legacy challenge under the key `abc`: every challenge captured
    /// (tests/wire/manager.frames, two a connection), and the digest that answered it.
    #[test]
    fn legacy_answers_match_the_captures() {
        let frames = fixtures::frames();
        let connections = frames.last().map_or(0, |frame| frame.connection);
        let pairs: Vec<(&[u8], &[u8])> = frames
            .windows(2)
            .filter(|pair| pair[0].label == "CHALLENGE")
            .map(|pair| {
                let (challenge, digest) = (&pair[0], &pair[1]);
                assert_eq!(digest.label, "DIGEST");
                assert_eq!(digest.connection, challenge.connection);
                assert_ne!(digest.from_client, challenge.from_client);
                let message = challenge.bytes.strip_prefix(CHALLENGE).unwrap();
                (message, &digest.bytes[..])
            })
            .collect();
        assert!(connections > 0);
        assert_eq!(pairs.len(), 2 * connections);
        for (challenge, digest) in pairs {
            assert_eq!(
                (challenge.len(), digest.len()),
                (20, 16),
                "the legacy style"
            );
            assert_eq!(create_response(b"abc", challenge).unwrap(), digest.to_vec());
            assert!(verify_response(b"abc", challenge, digest));
            assert!(!verify_response(b"abd", challenge, digest));
        }
    }

    /// The 3.12 style: expected bytes from
    /// `python3 -c "import hmac; print(hmac.new(b'abc', b'{sha256}' + bytes(range(40)), 'sha256').hexdigest())"`.
    #[test]
    fn modern_answers_are_prefixed_sha256_of_the_whole_message() {
        let message = [b"{sha256}".to_vec(), (0u8..40).collect()].concat();
        let sha = unhex("ee2b4cd766c1e0f5eb564525d250361f729d00e3948c83c5651d1cefdb97de31");
        let response = create_response(b"abc", &message).unwrap();
        assert_eq!(response, [&b"{sha256}"[..], &sha].concat());
        assert!(verify_response(b"abc", &message, &response));
        // A 3.11 peer answers the same challenge with bare HMAC-MD5 of the whole message:
        // `hmac.new(b'abc', b'{sha256}' + bytes(range(40)), 'md5')`.
        let legacy = unhex("3e4faf2fc53f133cd76571e5d3fb9fd5");
        assert!(verify_response(b"abc", &message, &legacy));
        assert!(!verify_response(b"abd", &message, &response));
        assert!(!verify_response(b"abc", &message, b"{sha512}0123456789"));
        assert!(create_response(b"abc", b"{sha1}xxxxxxxxxxxxxxxxxxxxxxxxxxx").is_err());
    }

    fn pair() -> (Connection, Connection) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let wait = Duration::from_secs(10);
        (
            Connection::new(Arc::new(server), wait).unwrap(),
            Connection::new(Arc::new(client), wait).unwrap(),
        )
    }

    /// Raw bytes on `conn`'s socket, not framed.
    fn raw(conn: &Connection, bytes: &[u8]) {
        (&**conn.socket()).write_all(bytes).unwrap();
    }

    #[test]
    fn frames_keep_their_bounds_and_caps() {
        let (mut a, mut b) = pair();
        a.send_bytes(b"hello").unwrap();
        a.send_bytes(b"").unwrap();
        assert_eq!(b.recv_bytes(10).unwrap(), Some(b"hello".to_vec()));
        assert_eq!(b.recv_bytes(10).unwrap(), Some(Vec::new()));
        raw(&a, &[0, 0, 0, 11]);
        assert!(
            b.recv_bytes(10)
                .unwrap_err()
                .to_string()
                .contains("11 bytes")
        );
        let (a, mut b) = pair();
        raw(&a, &[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0, 0, 0, 0]);
        assert!(
            b.recv_bytes(MAX_FRAME)
                .unwrap_err()
                .to_string()
                .contains("4294967296 bytes")
        );
        let (a, mut b) = pair();
        raw(&a, &[0xff, 0xff, 0xff, 0xfe]);
        assert!(
            b.recv_bytes(MAX_FRAME)
                .unwrap_err()
                .to_string()
                .contains("negative")
        );
        let (a, mut b) = pair();
        raw(&a, &[0, 0, 0, 5, b'x']);
        drop(a);
        assert!(
            b.recv_bytes(MAX_FRAME)
                .unwrap_err()
                .to_string()
                .contains("middle of a frame")
        );
        assert!(b.recv_bytes(MAX_FRAME).unwrap().is_none());
    }

    /// A frame trickling in one byte every 50 ms meets the deadline of 300 ms, not a timeout
    /// per read, which every byte would renew.
    #[test]
    fn a_deadline_holds_for_the_whole_frame_however_slow_the_bytes() {
        let (a, mut b) = pair();
        let trickle = std::thread::spawn(move || {
            for byte in [0u8, 0, 0, 50].into_iter().chain([b'x'; 50]) {
                if (&**a.socket()).write_all(&[byte]).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        let started = Instant::now();
        b.set_deadline(Some(started + Duration::from_millis(300)));
        let e = b.recv_bytes(MAX_FRAME).unwrap_err();
        assert!(e.is_timeout(), "{e}");
        let took = started.elapsed();
        assert!(took < Duration::from_millis(1000), "took {took:?}");
        drop(b);
        trickle.join().unwrap();
        // Without a deadline the same connection waits as long as it must.
        let (a, mut b) = pair();
        raw(&a, &[0, 0, 0, 1, b'y']);
        b.set_deadline(None);
        assert_eq!(b.recv_bytes(10).unwrap(), Some(b"y".to_vec()));
    }

    #[test]
    fn the_handshake_goes_both_ways_and_needs_the_same_key() {
        for (server_key, client_key, ok) in [(b"abc", b"abc", true), (b"abc", b"abd", false)] {
            let (mut server, mut client) = pair();
            let t = std::thread::spawn(move || {
                let r = answer_challenge(&mut client, client_key);
                if r.is_ok() {
                    deliver_challenge(&mut client, client_key).unwrap();
                }
                r
            });
            let r = deliver_challenge(&mut server, server_key);
            if ok {
                r.unwrap();
                answer_challenge(&mut server, server_key).unwrap();
                t.join().unwrap().unwrap();
            } else {
                assert!(matches!(r, Err(Error::WrongKey)));
                assert!(matches!(t.join().unwrap(), Err(Error::Refused)));
            }
        }
    }
}
