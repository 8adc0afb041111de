//! Lesson: a handler that waits gives the thread to the others, so the server answers many
//! waiting requests at once; slow or idle clients get a deadline.

#[cfg(unix)]
use harness::Running;
use harness::bin;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// Starts `aio_web` on a free port; returns it and its address.
#[cfg(unix)]
fn start_aio_web(scale: &str) -> (Running, String) {
    let mut server = bin(env!("CARGO_BIN_EXE_aio_web"))
        .args(["--addr", "127.0.0.1:0"])
        .env("TUTORIAL_TIME_SCALE", scale)
        .spawn();
    let addr = server.wait_for_value("Server started at http://", "...");
    (server, addr)
}

/// Sends a GET request; read the answer with [`response`].
fn request(addr: &str, path: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    stream
}

/// The status code and the body of the answer to a [`request`].
fn response(mut stream: TcpStream) -> (u16, String) {
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response
        .split_once("\r\n\r\n")
        .expect("a complete response");
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_string())
}

/// Sends a GET request and returns the status code and the body.
#[cfg(unix)]
fn get(addr: &str, path: &str) -> (u16, String) {
    response(request(addr, path))
}

#[cfg(unix)]
#[test]
fn aio_web_serves_the_two_routes_escapes_names_and_stops_on_ctrl_c() {
    let (server, addr) = start_aio_web("0");
    assert_eq!(get(&addr, "/"), (200, "<h1>Index</h1>".into()));
    assert_eq!(
        get(&addr, "/hello/Bob"),
        (200, "<h1>hello, Bob!</h1>".into())
    );
    assert_eq!(
        get(&addr, "/hello/%3Cscript%3Ealert(1)%3C%2Fscript%3E"),
        (
            200,
            "<h1>hello, &lt;script&gt;alert(1)&lt;/script&gt;!</h1>".into()
        )
    );
    assert_eq!(
        get(&addr, "/nowhere"),
        (404, "<h1>404: Not Found</h1>".into())
    );
    assert_eq!(get(&addr, "/hello/a/b").0, 404);
    server.signal(nix::sys::signal::Signal::SIGINT);
    let out = server.finish();
    out.assert_success();
    assert_eq!(out.lines()[1..], ["Server stopped."]);
}

/// A NUL (`%00`) or another control character in a name never reaches the HTML as it is.
#[cfg(unix)]
#[test]
fn aio_web_keeps_control_characters_out_of_its_html() {
    let (server, addr) = start_aio_web("0");
    assert_eq!(
        get(&addr, "/hello/a%00b%07c"),
        (200, "<h1>hello, a\u{fffd}b\u{fffd}c!</h1>".into())
    );
    server.signal(nix::sys::signal::Signal::SIGINT);
    server.finish().assert_success();
}

/// SIGTERM (what service managers and `docker stop` send) stops it as Ctrl-C does: the
/// request under way is answered, then `Server stopped.` and exit status 0.
#[cfg(unix)]
#[test]
fn aio_web_stops_gracefully_on_sigterm() {
    let (server, addr) = start_aio_web("2");
    let under_way = request(&addr, "/");
    std::thread::sleep(Duration::from_millis(300));
    server.signal(nix::sys::signal::Signal::SIGTERM);
    assert_eq!(response(under_way), (200, "<h1>Index</h1>".into()));
    let out = server.finish();
    out.assert_success();
    assert_eq!(out.lines()[1..], ["Server stopped."]);
}

#[cfg(unix)]
#[test]
fn aio_web_lets_a_request_under_way_finish_after_ctrl_c() {
    // Scale 2: every request takes 1 s, long enough to press Ctrl-C in the middle.
    let (server, addr) = start_aio_web("2");
    let alice = request(&addr, "/hello/Alice");
    // Give the server time to accept the connection and start on the request.
    std::thread::sleep(Duration::from_millis(300));
    server.signal(nix::sys::signal::Signal::SIGINT);
    assert_eq!(response(alice), (200, "<h1>hello, Alice!</h1>".into()));
    server.finish().assert_success();
    assert!(
        TcpStream::connect(&addr).is_err(),
        "the server should be gone"
    );
}

#[cfg(unix)]
#[test]
fn aio_web_stops_waiting_for_a_request_that_never_ends() {
    let mut server = bin(env!("CARGO_BIN_EXE_aio_web"))
        .args(["--addr", "127.0.0.1:0", "--grace", "0.5"])
        .spawn();
    let addr = server.wait_for_value("Server started at http://", "...");
    // Half a request: the headers never end.
    let mut stuck = TcpStream::connect(&addr).unwrap();
    stuck.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    server.signal(nix::sys::signal::Signal::SIGINT);
    let out = server.timeout_from_now(Duration::from_secs(10)).finish();
    out.assert_success();
    assert_eq!(out.lines()[1..], ["Server stopped."]);
    assert_eq!(
        out.stderr, "note: requests still open after 0.5 s were cut off\n",
        "{out}"
    );
    drop(stuck);
}

#[test]
fn aio_web_says_so_when_the_port_is_taken() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = bin(env!("CARGO_BIN_EXE_aio_web"))
        .args(["--addr", &addr])
        .run();
    out.assert_code(1);
    assert_eq!(out.stderr.lines().count(), 1, "{out}");
    assert!(
        out.stderr
            .starts_with(&format!("error: cannot listen on {addr}: ")),
        "{out}"
    );
    bin(env!("CARGO_BIN_EXE_aio_web"))
        .args(["--addr", "localhost"])
        .run()
        .assert_usage_error();
}

/// Whether the server closes `stream` within `within` (reads return the end of the stream or
/// an error), rather than keeping it open.
#[cfg(unix)]
fn closed_by_server(stream: &mut TcpStream, within: Duration) -> bool {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) => {
                return !matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                );
            }
        }
    }
}

#[cfg(unix)]
#[test]
fn aio_web_closes_half_sent_and_idle_connections() {
    let mut server = bin(env!("CARGO_BIN_EXE_aio_web"))
        .args(["--addr", "127.0.0.1:0", "--timeout", "0.3"])
        .spawn();
    let addr = server.wait_for_value("Server started at http://", "...");
    // Half a header, then a byte now and then: dribbling does not buy more time.
    let mut half = TcpStream::connect(&addr).unwrap();
    half.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    // A keep-alive connection that asks once, then stays idle.
    let mut idle = TcpStream::connect(&addr).unwrap();
    idle.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let start = Instant::now();
    for _ in 0..10 {
        std::thread::sleep(Duration::from_millis(100));
        let _ = half.write_all(b"X");
    }
    assert!(
        closed_by_server(&mut half, Duration::from_secs(5)),
        "half-sent header kept open"
    );
    assert!(
        closed_by_server(&mut idle, Duration::from_secs(5)),
        "idle connection kept open"
    );
    assert!(start.elapsed() < Duration::from_secs(5));
    // Still serving.
    assert_eq!(get(&addr, "/").0, 200);
    server.signal(nix::sys::signal::Signal::SIGINT);
    server.finish().assert_success();
}

#[cfg(unix)]
#[test]
#[ignore = "tier 2: stuck clients holding every file descriptor (a cap)"]
fn aio_web_recovers_when_stuck_clients_hold_every_file_descriptor() {
    // 64 descriptors, 80 clients that never finish their headers: the server runs out of
    // descriptors until the deadline closes the stuck ones, then answers again.
    let mut server = bin("sh")
        .args([
            "-c",
            "ulimit -n 64 && exec \"$0\" --addr 127.0.0.1:0 --timeout 0.5",
        ])
        .arg(env!("CARGO_BIN_EXE_aio_web"))
        .spawn();
    let addr = server.wait_for_value("Server started at http://", "...");
    let stuck: Vec<TcpStream> = (0..80)
        .map(|_| {
            let mut s = TcpStream::connect(&addr).unwrap();
            s.write_all(b"GET / HTTP/1.1\r\n").unwrap();
            s
        })
        .collect();
    let start = Instant::now();
    assert_eq!(get(&addr, "/hello/late").1, "<h1>hello, late!</h1>");
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "{:?}",
        start.elapsed()
    );
    drop(stuck);
    server.signal(nix::sys::signal::Signal::SIGINT);
    server.finish().assert_success();
}

#[test]
fn aio_web_answers_many_requests_at_once() {
    // One worker thread (as asyncio's one loop), 12 requests that each wait 1 s (scale 2):
    // answered together in about 1 s; a handler that blocked its thread would take 12 s, one
    // that ignored the time scale 0.5 s.
    let mut server = bin(env!("CARGO_BIN_EXE_aio_web"))
        .args(["--addr", "127.0.0.1:0"])
        .env("TUTORIAL_TIME_SCALE", "2")
        .env("TOKIO_WORKER_THREADS", "1")
        .spawn();
    let addr = server.wait_for_value("Server started at http://", "...");
    let start = Instant::now();
    let asked: Vec<TcpStream> = (0..12)
        .map(|i| request(&addr, &format!("/hello/{i}")))
        .collect();
    for (i, stream) in asked.into_iter().enumerate() {
        assert_eq!(response(stream), (200, format!("<h1>hello, {i}!</h1>")));
    }
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(1000),
        "{took:?}: no 1 s wait?"
    );
    assert!(
        took < Duration::from_millis(4000),
        "{took:?}: the waits did not overlap"
    );
    #[cfg(unix)]
    server.signal(nix::sys::signal::Signal::SIGINT);
    #[cfg(unix)]
    server.finish().assert_success();
    #[cfg(not(unix))]
    drop(server);
}

#[cfg(unix)]
#[test]
fn aio_web_does_not_cut_off_a_handler_that_is_still_waiting() {
    // The client's deadline (0.1 s) is shorter than the handler's wait (0.5 s): the answer
    // still comes, because the deadline is for the client's sending, not for our waiting.
    let mut server = bin(env!("CARGO_BIN_EXE_aio_web"))
        .args(["--addr", "127.0.0.1:0", "--timeout", "0.1"])
        .env("TUTORIAL_TIME_SCALE", "1")
        .spawn();
    let addr = server.wait_for_value("Server started at http://", "...");
    assert_eq!(get(&addr, "/"), (200, "<h1>Index</h1>".into()));
    server.signal(nix::sys::signal::Signal::SIGINT);
    server.finish().assert_success();
}

/// Reads one keep-alive response to `GET /` (its headers and its 14-byte body).
#[cfg(unix)]
fn index_response(stream: &mut TcpStream) -> String {
    let mut response = Vec::new();
    let mut byte = [0u8; 1];
    while !response.ends_with(b"<h1>Index</h1>") {
        assert_eq!(stream.read(&mut byte).unwrap(), 1, "closed: {response:?}");
        response.push(byte[0]);
    }
    String::from_utf8(response).unwrap()
}

#[cfg(unix)]
#[test]
#[ignore = "tier 2: a keep-alive connection kept busy for a second (hardening)"]
fn aio_web_keeps_a_busy_keep_alive_connection_open() {
    // The deadline counts from the last answer, not from the connection: four requests 0.4 s
    // apart on one connection outlive a 1 s timeout.
    let mut server = bin(env!("CARGO_BIN_EXE_aio_web"))
        .args(["--addr", "127.0.0.1:0", "--timeout", "1"])
        .spawn();
    let addr = server.wait_for_value("Server started at http://", "...");
    let mut stream = TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    for _ in 0..4 {
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        assert!(index_response(&mut stream).starts_with("HTTP/1.1 200 OK\r\n"));
        std::thread::sleep(Duration::from_millis(400));
    }
    server.signal(nix::sys::signal::Signal::SIGINT);
    server.finish().assert_success();
}

#[cfg(target_os = "linux")]
#[test]
fn aio_web_reports_a_full_stdout() {
    let out = bin("sh")
        .args(["-c", "exec \"$0\" --addr 127.0.0.1:0 > /dev/full"])
        .arg(env!("CARGO_BIN_EXE_aio_web"))
        .run();
    out.assert_code(1);
    assert!(
        out.stderr.starts_with("error: cannot write to stdout: "),
        "{out}"
    );
    assert_eq!(out.stderr.lines().count(), 1, "{out}");
}

/// When the system has no file descriptor to spare for the runtime (RLIMIT_NOFILE, what `ulimit
/// -n` sets): one `error:` line, never a panic.
#[cfg(target_os = "linux")]
#[test]
fn no_descriptor_for_the_runtime_is_one_error_line() {
    for room in 4..=8 {
        let out = bin(env!("CARGO_BIN_EXE_aio_web"))
            .args(["--addr", "127.0.0.1:0"])
            .limit(harness::limits::Resource::RLIMIT_NOFILE, room)
            .run();
        out.assert_one_error_line("cannot start the async runtime: ");
    }
}
