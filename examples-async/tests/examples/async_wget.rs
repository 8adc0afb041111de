//! Lesson: one thread keeps several connections open at once, so a slow host does not hold up
//! the others; what a server sends is bounded and cannot steer the terminal.

use harness::bin;
use harness::timeline::{max_concurrent, overlap_in_lane, parse_listing};
use shared::timeline::lanes;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

/// A one-connection-at-a-time HTTP/1.0 server on 127.0.0.1 that answers `connections` requests
/// with a few header lines and checks that each request is `GET / HTTP/1.0` with a Host header.
fn header_server(connections: usize) -> (u16, std::thread::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let mut requests = Vec::new();
        for _ in 0..connections {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream);
            let mut request = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
                request += &line;
            }
            let mut stream = reader.into_inner();
            stream
                .write_all(b"HTTP/1.0 200 OK\r\nServer: test\r\nContent-Type: text/html\r\n\r\n<p>body</p>")
                .unwrap();
            requests.push(request);
        }
        requests
    });
    (port, server)
}

#[test]
fn async_wget_prints_every_header_line_of_every_host() {
    let (port, server) = header_server(2);
    let out = bin(env!("CARGO_BIN_EXE_async_wget"))
        .args([format!("127.0.0.1:{port}"), format!("localhost:{port}")])
        .run();
    out.assert_success();
    let mut lines = out.lines();
    lines.sort();
    let mut expected = Vec::new();
    for host in ["127.0.0.1", "localhost"] {
        expected.push(format!("wget {host}..."));
        for header in ["HTTP/1.0 200 OK", "Server: test", "Content-Type: text/html"] {
            expected.push(format!("{host} header > {header}"));
        }
    }
    expected.sort();
    assert_eq!(lines, expected, "{out}");
    let mut requests = server.join().unwrap();
    requests.sort();
    assert_eq!(
        requests,
        [
            format!("GET / HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n"),
            format!("GET / HTTP/1.0\r\nHost: localhost:{port}\r\n"),
        ]
    );
}

#[test]
fn async_wget_reports_a_failed_host_and_carries_on() {
    let (port, server) = header_server(1);
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    let out = bin(env!("CARGO_BIN_EXE_async_wget"))
        .args(["--timeline", &format!("127.0.0.1:{port}"), "127.0.0.1:1"])
        .run();
    out.assert_code(1);
    assert!(
        out.stdout.contains("127.0.0.1 header > HTTP/1.0 200 OK"),
        "{out}"
    );
    // One lane per host and port: the two downloads from 127.0.0.1 do not share one.
    let listing = parse_listing(&out.stdout).unwrap_or_else(|e| panic!("{e}\n{out}"));
    let mut hosts = lanes(&listing.spans);
    hosts.sort();
    assert_eq!(
        hosts,
        ["127.0.0.1:1".to_string(), format!("127.0.0.1:{port}")],
        "{out}"
    );
    assert_eq!(overlap_in_lane(&listing.spans), None, "{out}");
    let errors: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(errors.len(), 1, "{out}");
    assert!(
        errors[0].starts_with("error: 127.0.0.1: ") && errors[0].contains("refused"),
        "{out}"
    );
    server.join().unwrap();
}

#[test]
fn async_wget_gives_up_on_a_silent_server() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts and never answers (the connection stays open while `listener` lives).
    let out = bin(env!("CARGO_BIN_EXE_async_wget"))
        .args(["--timeout", "0.5", &format!("127.0.0.1:{port}")])
        .run();
    out.assert_code(1);
    assert_eq!(
        out.stderr, "error: 127.0.0.1: no complete answer within 0.5 s\n",
        "{out}"
    );
    drop(listener);
    for bad in [&["--timeout", "0"][..], &["host:notaport"]] {
        bin(env!("CARGO_BIN_EXE_async_wget"))
            .args(bad)
            .run()
            .assert_usage_error();
    }
}

#[test]
fn async_wget_connects_to_every_host_before_any_answers() {
    // The server answers only once both connections are open: one host after the other
    // would wait for ever (here: until the 5 s timeout).
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let mut open: Vec<TcpStream> = (0..2).map(|_| listener.accept().unwrap().0).collect();
        for stream in &mut open {
            stream.write_all(b"HTTP/1.0 200 OK\r\n\r\n").unwrap();
        }
    });
    let out = bin(env!("CARGO_BIN_EXE_async_wget"))
        .args([
            "--timeline",
            "--timeout",
            "5",
            &format!("127.0.0.1:{port}"),
            &format!("localhost:{port}"),
        ])
        .run();
    out.assert_success();
    server.join().unwrap();
    // The chart: one lane per host, both downloads under way at the same time.
    let listing = parse_listing(&out.stdout).unwrap_or_else(|e| panic!("{e}\n{out}"));
    let mut hosts = lanes(&listing.spans);
    hosts.sort();
    assert_eq!(
        hosts,
        [format!("127.0.0.1:{port}"), format!("localhost:{port}")],
        "{out}"
    );
    assert_eq!(max_concurrent(&listing.spans), 2, "{out}");
}

/// A server on `listener` that answers one connection with `answer`, then closes it.
fn answer_once(listener: TcpListener, answer: Vec<u8>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = [0u8; 1024];
        let _ = stream.read(&mut request);
        let _ = stream.write_all(&answer);
    })
}

#[test]
fn async_wget_escapes_what_would_steer_the_terminal() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = answer_once(
        listener,
        b"HTTP/1.0 200 OK\r\nX-Evil: \x1b[2J\x1b]0;owned\x07red\x00nul\x9b\xc2\x9bcsi\r\n\r\n"
            .to_vec(),
    );
    let out = bin(env!("CARGO_BIN_EXE_async_wget"))
        .arg(format!("127.0.0.1:{port}"))
        .run();
    out.assert_success();
    assert!(
        out.stdout.contains(
            "127.0.0.1 header > X-Evil: \\u{1b}[2J\\u{1b}]0;owned\\u{7}red\\u{0}nul\u{fffd}\\u{9b}csi\n"
        ),
        "{out}"
    );
    assert!(
        !out.stdout.contains(['\x1b', '\0', '\x07', '\u{9b}']),
        "{out}"
    );
    server.join().unwrap();
}

#[test]
fn async_wget_refuses_a_header_line_without_end() {
    // A server that sends one header line for ever: only a cap on the line ends the read
    // before the 5 s timeout.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let _ = stream.write_all(b"HTTP/1.0 200 OK\r\nX-Long: ");
        while stream.write_all(&[b'a'; 64 * 1024]).is_ok() {}
    });
    let out = bin(env!("CARGO_BIN_EXE_async_wget"))
        .args(["--timeout", "5", &format!("127.0.0.1:{port}")])
        .run();
    out.assert_code(1);
    assert_eq!(
        out.stderr, "error: 127.0.0.1: a header line longer than 8192 bytes\n",
        "{out}"
    );
    assert!(out.stdout.len() < 1000, "{out}");
    server.join().unwrap();
}

#[test]
fn async_wget_takes_an_ipv6_address_in_brackets() {
    let Ok(listener) = TcpListener::bind("[::1]:0") else {
        eprintln!("skipped: this machine has no IPv6 loopback");
        return;
    };
    let port = listener.local_addr().unwrap().port();
    let server = answer_once(listener, b"HTTP/1.0 204 No Content\r\n\r\n".to_vec());
    let out = bin(env!("CARGO_BIN_EXE_async_wget"))
        .arg(format!("[::1]:{port}"))
        .run();
    out.assert_success();
    assert_eq!(
        out.lines(),
        ["wget ::1...", "::1 header > HTTP/1.0 204 No Content"]
    );
    server.join().unwrap();
}

#[test]
fn async_wget_refuses_what_is_not_a_host() {
    for bad in ["", ":80", "host:", "host:notaport", "[::1", "[::1]x", "a b"] {
        let out = bin(env!("CARGO_BIN_EXE_async_wget")).arg(bad).run();
        out.assert_usage_error();
        assert!(out.stdout.is_empty(), "{bad:?} was taken: {out}");
    }
}

/// Every output that the headers of async_wget and aio_web and the README show is what a real
/// run prints (what varies, redacted): the two run together, on a free port that stands for
/// the headers' 8000. (The harness's table says this file checks them: `harness::every_binary`.)
#[test]
fn the_outputs_shown_are_what_aio_web_and_async_wget_print_together() {
    let readme = include_str!("../../../README.md");
    let server = harness::bin(env!("CARGO_BIN_EXE_aio_web")).args(["--addr", "127.0.0.1:0"]);
    let mut server = server.spawn();
    let addr = server.wait_for_value("Server started at http://", "...");
    let port = addr.rsplit(':').next().expect("a port").to_string();
    let as_shown = |out: &str| {
        out.replace(&addr, "127.0.0.1:8000")
            .replace(&format!(":{port}"), ":8000")
    };
    let wget = "examples-async/src/bin/async_wget.rs";
    let in_header = harness::expected::in_header(
        wget,
        "async_wget",
        include_str!("../../src/bin/async_wget.rs"),
    );
    for block in in_header
        .into_iter()
        .chain(harness::expected::in_readme(readme, "async_wget"))
    {
        let args: Vec<String> = block
            .args
            .iter()
            .map(|a| a.replace(":8000", &format!(":{port}")))
            .collect();
        let out = harness::bin(env!("CARGO_BIN_EXE_async_wget"))
            .args(&args)
            .run();
        out.assert_no_panic();
        block.check(&as_shown(if block.stderr {
            &out.stderr
        } else {
            &out.stdout
        }));
    }
    #[cfg(unix)]
    server.signal(nix::sys::signal::Signal::SIGINT);
    let out = server.finish();
    let web = "examples-async/src/bin/aio_web.rs";
    let blocks =
        harness::expected::in_header(web, "aio_web", include_str!("../../src/bin/aio_web.rs"));
    assert_eq!(blocks.len(), 1);
    blocks[0].check(&as_shown(&out.stdout));
}

/// When the system has no file descriptor to spare for the runtime (RLIMIT_NOFILE, what `ulimit
/// -n` sets): one `error:` line, never a panic.
#[cfg(target_os = "linux")]
#[test]
fn no_descriptor_for_the_runtime_is_one_error_line() {
    for room in 4..=8 {
        let out = bin(env!("CARGO_BIN_EXE_async_wget"))
            .args(["--timeout", "1", "127.0.0.1:1"])
            .limit(harness::limits::Resource::RLIMIT_NOFILE, room)
            .run();
        out.assert_one_error_line("cannot start the async runtime: ");
    }
}
