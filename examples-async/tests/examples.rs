//! Runs every binary of examples-async as a real process and checks what the lesson promises.
//! Every network test talks to a server on loopback (127.0.0.1 or ::1) that it starts itself.

/// Lesson: a producer and a consumer take turns on one thread, each handing the other a value
/// at its `yield`.
mod coroutine {
    use harness::bin;

    #[test]
    fn coroutine_prints_the_tutorial_output_byte_for_byte() {
        let out = bin(env!("CARGO_BIN_EXE_coroutine")).run();
        out.assert_success();
        let mut expected = String::new();
        for n in 1..=5 {
            expected += &format!(
                "[PRODUCER] Producing {n}...\n[CONSUMER] Consuming {n}...\n[PRODUCER] Consumer return: 200 OK\n"
            );
        }
        assert_eq!(out.stdout, expected);
    }
}

/// Lesson: two tasks wait at the same time on one thread, so two 1 s waits take 1 s, not 2.
mod async_hello {
    use harness::timeline::{max_concurrent, parse_listing};
    use harness::{bin, shape};
    use shared::timeline::{Kind, lanes};

    #[test]
    fn async_hello_waits_twice_at_once_on_one_thread() {
        // Each wait is 0.5 s: one after the other would take 1 s.
        let out = bin(env!("CARGO_BIN_EXE_async_hello"))
            .env("TUTORIAL_TIME_SCALE", "0.5")
            .run();
        out.assert_success();
        let lines = out.lines();
        assert_eq!(lines.len(), 5, "{out}");
        let thread = lines[0].strip_prefix("Hello world! ").expect("hello first");
        assert!(thread.starts_with("(thread main, ThreadId("), "{out}");
        assert_eq!(
            lines[..4],
            [
                format!("Hello world! {thread}"),
                format!("Hello world! {thread}"),
                format!("Hello again! {thread}"),
                format!("Hello again! {thread}"),
            ],
            "both tasks on the same thread"
        );
        assert_eq!(shape(lines[4]), "Elapsed: # s for two waits of # s each.");
        let elapsed: f64 = lines[4].split(' ').nth(1).unwrap().parse().unwrap();
        assert!((0.5..0.9).contains(&elapsed), "{out}");
    }

    /// The chart shows two task lanes whose waits overlap, both on the same thread.
    #[test]
    fn async_hello_timeline_shows_two_overlapping_waits_on_one_thread() {
        let out = bin(env!("CARGO_BIN_EXE_async_hello"))
            .arg("--timeline")
            .env("TUTORIAL_TIME_SCALE", "0.2")
            .run();
        out.assert_success();
        assert!(out.lines()[4].starts_with("Elapsed: "), "{out}");
        let listing = parse_listing(&out.stdout).unwrap_or_else(|e| panic!("{e}\n{out}"));
        let spans = &listing.spans;
        assert_eq!(lanes(spans), ["task 1", "task 2"], "{out}");
        assert!(
            spans.iter().all(|s| s.kind == Kind::Wait && !s.unfinished),
            "{out}"
        );
        assert_eq!(max_concurrent(spans), 2, "the waits should overlap\n{out}");
        assert_eq!(spans[0].label, spans[1].label, "one thread\n{out}");
    }
}

/// Lesson: one thread keeps several connections open at once, so a slow host does not hold up
/// the others; what a server sends is bounded and cannot steer the terminal.
mod async_wget {
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
}

/// Lesson: a handler that waits gives the thread to the others, so the server answers many
/// waiting requests at once; slow or idle clients get a deadline.
mod aio_web {
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
}

/// Lesson: ten thousand waits fit on one thread as tasks, at a fraction of the memory of one OS
/// thread each.
mod io_bound {
    use harness::timeline::parse_listing;
    use harness::{bin, shape};

    /// Seconds from a duration as `shared::bench::human` prints it: `1.23 s`, `4.56 ms`, `7.8 µs`.
    fn seconds(text: &str) -> f64 {
        let (value, unit) = text.trim().split_once(' ').expect("a value and a unit");
        let value: f64 = value.parse().expect("a number");
        match unit {
            "s" => value,
            "ms" => value / 1e3,
            "µs" => value / 1e6,
            "ns" => value / 1e9,
            _ => panic!("unknown unit in {text:?}"),
        }
    }

    #[test]
    fn io_bound_runs_the_waits_as_tasks_and_as_threads() {
        let out = bin(env!("CARGO_BIN_EXE_io_bound"))
            .args(["--count", "2000", "--max-threads", "500", "--samples", "2"])
            .env("TUTORIAL_TIME_SCALE", "0.1")
            .run();
        out.assert_success();
        let lines = out.lines();
        assert_eq!(
            lines[0],
            "2000 waits of 0.1 s each, all at once; median wall time of 2 runs, memory of the first:"
        );
        assert_eq!(lines[2], "  (threads capped at 500 by --max-threads)");
        let memory = if cfg!(target_os = "linux") {
            "# MiB (# KiB each)"
        } else {
            "not measurable on this system"
        };
        for (row, label) in [
            (1, "  tasks on one thread:  "),
            (3, "  one OS thread each:   "),
        ] {
            let rest = lines[row]
                .strip_prefix(label)
                .unwrap_or_else(|| panic!("{out}"));
            let (wall, measured) = rest.split_once(" (min ").expect("median, then spread");
            assert!(
                shape(measured)
                    .ends_with(&format!(", # samples); memory while all wait: {memory}")),
                "{out}"
            );
            assert!(
                measured.contains(", 2 samples); "),
                "--samples 2 ran 2 times\n{out}"
            );
            // Every wait takes 0.1 s and they all overlap: nowhere near 2000 × 0.1 s.
            assert!((0.1..10.0).contains(&seconds(wall)), "{out}");
        }
        // The lesson in memory: a waiting task costs a fraction of a waiting thread.
        if cfg!(target_os = "linux") {
            let kib_each = |row: usize| {
                let each = lines[row].rsplit_once(" (").unwrap().1;
                each.split(' ').next().unwrap().parse::<f64>().unwrap()
            };
            assert!(kib_each(1) * 4.0 < kib_each(3), "{out}");
        }
        bin(env!("CARGO_BIN_EXE_io_bound"))
            .args(["--count", "0"])
            .run()
            .assert_usage_error();
    }

    #[test]
    fn io_bound_waits_follow_the_time_scale() {
        // 50 waits of 0.1 s: each row takes at least 0.1 s, and far less than the unscaled 1 s.
        let out = bin(env!("CARGO_BIN_EXE_io_bound"))
            .args(["--count", "50", "--samples", "1"])
            .env("TUTORIAL_TIME_SCALE", "0.1")
            .run();
        out.assert_success();
        for row in &out.lines()[1..3] {
            let wall = row.split(":  ").nth(1).unwrap().split(" (").next().unwrap();
            assert!((0.1..0.8).contains(&seconds(wall)), "{out}");
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn io_bound_tasks_wait_on_one_thread() {
        // While the tasks wait (2 s each), the process has one thread: the event loop's.
        let mut run = bin(env!("CARGO_BIN_EXE_io_bound"))
            .args(["--count", "10", "--max-threads", "1", "--samples", "1"])
            .env("TUTORIAL_TIME_SCALE", "2")
            .spawn();
        run.wait_for_line(|l| l.starts_with("10 waits of 2 s each"));
        let tasks = format!("/proc/{}/task", run.pid());
        for _ in 0..10 {
            std::thread::sleep(std::time::Duration::from_millis(50));
            let threads = std::fs::read_dir(&tasks).unwrap().count();
            assert_eq!(threads, 1, "threads while the tasks wait");
        }
        run.finish().assert_success();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn io_bound_measures_the_threads_it_got_when_the_system_refuses() {
        // 1.6 GB of address space: room for a few thousand threads, not 20,000.
        let out = bin("sh")
            .args([
                "-c",
                "ulimit -v 1600000 && exec \"$0\" --count 20000 --max-threads 20000 --samples 1",
            ])
            .arg(env!("CARGO_BIN_EXE_io_bound"))
            .env("TUTORIAL_TIME_SCALE", "0.1")
            .run();
        out.assert_success();
        let lines = out.lines();
        assert!(
            lines[2].starts_with("  the system would refuse thread number ")
                && lines[2].ends_with(" threads it allows"),
            "{out}"
        );
        assert!(lines[3].starts_with("  one OS thread each:   "), "{out}");
    }

    #[test]
    fn io_bound_refuses_meaningless_counts() {
        for bad in [
            &["--count", "0"][..],
            &["--max-threads", "0"],
            &["--samples", "0"],
            &["--count", "99999999999"],
            &["--count", "1000001"],
        ] {
            bin(env!("CARGO_BIN_EXE_io_bound"))
                .args(bad)
                .run()
                .assert_usage_error();
        }
    }

    #[test]
    fn io_bound_timeline_has_every_wait_in_flight_at_once() {
        let out = bin(env!("CARGO_BIN_EXE_io_bound"))
            .args([
                "--count",
                "600",
                "--max-threads",
                "300",
                "--samples",
                "1",
                "--timeline",
            ])
            .env("TUTORIAL_TIME_SCALE", "0.2")
            .run();
        out.assert_success();
        let listing = parse_listing(&out.stdout).unwrap_or_else(|e| panic!("{e}\n{out}"));
        let mut counters = listing.counters.clone();
        counters.sort();
        assert_eq!(
            counters,
            [
                // Every wait ends: the count is back at 0.
                ("waits as tasks".to_string(), 600, 0),
                ("waits as threads".to_string(), 300, 0)
            ],
            "{out}"
        );
    }

    #[test]
    fn io_bound_vs_python_prints_both_sides() {
        if !harness::python3_present("io_bound::io_bound_vs_python_prints_both_sides") {
            return;
        }
        let out = bin(env!("CARGO_BIN_EXE_io_bound"))
            .args([
                "--count",
                "500",
                "--max-threads",
                "100",
                "--samples",
                "1",
                "--vs-python",
            ])
            .env("TUTORIAL_TIME_SCALE", "0.1")
            .run();
        out.assert_success();
        let lines = out.lines();
        assert!(
            lines[4].starts_with("Python on the same machine, Python 3."),
            "{out}"
        );
        assert!(lines[5].starts_with("  wall time          Rust "), "{out}");
        assert!(lines[5].contains(" Python/Rust "), "{out}");
        // Without python3: one line, the Rust side alone, exit 0.
        let out = bin(env!("CARGO_BIN_EXE_io_bound"))
            .args(["--count", "10", "--samples", "1", "--vs-python"])
            .env("PATH", "")
            .run();
        out.assert_success();
        assert_eq!(
            out.lines().last().copied(),
            Some(shared::python::NOT_FOUND),
            "{out}"
        );
    }
}

#[test]
fn every_binary_takes_help_and_refuses_what_it_does_not_know() {
    for path in [
        env!("CARGO_BIN_EXE_coroutine"),
        env!("CARGO_BIN_EXE_async_hello"),
        env!("CARGO_BIN_EXE_async_wget"),
        env!("CARGO_BIN_EXE_aio_web"),
        env!("CARGO_BIN_EXE_io_bound"),
    ] {
        harness::assert_takes_help_and_refuses_unknown_options(path);
    }
}

/// When the system has no file descriptor to spare for the runtime (RLIMIT_NOFILE, what `ulimit
/// -n` sets), aio_web and async_wget say so in one `error:` line, never a panic.
#[cfg(target_os = "linux")]
mod refused {
    use harness::bin;
    use harness::limits::Resource::RLIMIT_NOFILE;

    #[test]
    fn no_descriptor_for_the_runtime_is_one_error_line() {
        let cases: [(&str, &[&str]); 2] = [
            (env!("CARGO_BIN_EXE_aio_web"), &["--addr", "127.0.0.1:0"]),
            (
                env!("CARGO_BIN_EXE_async_wget"),
                &["--timeout", "1", "127.0.0.1:1"],
            ),
        ];
        for (path, args) in cases {
            for room in 4..=8 {
                let out = bin(path).args(args).limit(RLIMIT_NOFILE, room).run();
                out.assert_one_error_line("cannot start the async runtime: ");
            }
        }
    }
}

/// Every output a header shows is what a real run prints (what varies, redacted). aio_web and
/// async_wget run together, on a free port that stands for the headers' 8000.
#[test]
fn every_header_output_is_what_a_run_prints() {
    harness::check_headers!(coroutine, async_hello, io_bound);
    let readme = include_str!("../../README.md");
    harness::expected::check_readme(readme, "async_hello", env!("CARGO_BIN_EXE_async_hello"));
    harness::expected::check_readme(readme, "io_bound", env!("CARGO_BIN_EXE_io_bound"));
    let server = harness::bin(env!("CARGO_BIN_EXE_aio_web")).args(["--addr", "127.0.0.1:0"]);
    let mut server = server.spawn();
    let addr = server.wait_for_value("Server started at http://", "...");
    let port = addr.rsplit(':').next().expect("a port").to_string();
    let as_shown = |out: &str| {
        out.replace(&addr, "127.0.0.1:8000")
            .replace(&format!(":{port}"), ":8000")
    };
    let wget = "examples-async/src/bin/async_wget.rs";
    let in_header =
        harness::expected::in_header(wget, "async_wget", include_str!("../src/bin/async_wget.rs"));
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
        harness::expected::in_header(web, "aio_web", include_str!("../src/bin/aio_web.rs"));
    assert_eq!(blocks.len(), 1);
    blocks[0].check(&as_shown(&out.stdout));
}
