//! What the async examples need and that is not their lesson, one `use` away.
//!
//! - [`wget`]: reading a host from the command line, and reading a server's header lines
//!   safely (bounded in length; `shared::printable` escapes them before they reach the
//!   terminal): `async_wget`.
//! - [`web`]: the 0.5 s wait, HTML escaping, and serving with deadlines for slow or idle
//!   clients and a bounded graceful shutdown: `aio_web`.
//! - [`threads`]: how many more threads this process can start before Linux refuses one in a
//!   way a program cannot recover from: `io_bound`.

pub mod wget {
    //! The careful parts of fetching a page's headers from a server we do not control.

    use std::io;
    use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt};

    /// The longest header line kept: longer ones end the download with an error instead of
    /// filling memory (a server that sends 512 MiB without a newline).
    pub const MAX_LINE: usize = 8 * 1024;

    /// A host to fetch from, as the command line names it: see [`host_and_port`].
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct Host {
        pub name: String,
        pub port: u16,
    }

    impl std::str::FromStr for Host {
        type Err = String;
        fn from_str(arg: &str) -> Result<Host, String> {
            let (name, port) = host_and_port(arg)?;
            Ok(Host { name, port })
        }
    }

    /// `host`, `host:port`, `[v6]` or `[v6]:port` (port 80 by default). An empty host, an
    /// empty port or a port that is not a number is refused with a message.
    pub fn host_and_port(arg: &str) -> Result<(String, u16), String> {
        let (host, port) = if let Some(rest) = arg.strip_prefix('[') {
            // [::1]:8000 or [::1]
            let (host, after) = rest
                .split_once(']')
                .ok_or_else(|| format!("{arg:?}: a '[' without its ']'"))?;
            match after {
                "" => (host, None),
                _ => match after.strip_prefix(':') {
                    Some(port) => (host, Some(port)),
                    None => return Err(format!("{arg:?}: only :PORT may follow ']'")),
                },
            }
        } else if arg.matches(':').count() > 1 {
            (arg, None) // a bare IPv6 address: ::1
        } else {
            match arg.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (arg, None),
            }
        };
        if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("{arg:?} is not a host name or address"));
        }
        let port = match port {
            None => 80,
            Some(port) => port
                .parse()
                .map_err(|_| format!("{arg:?}: the port must be a number from 0 to 65535"))?,
        };
        Ok((host.to_string(), port))
    }

    /// What the Host header says: `host`, `host:port`, `[v6]:port` (no port when it is 80).
    pub fn host_header(host: &str, port: u16) -> String {
        match (host.contains(':'), port) {
            (false, 80) => host.to_string(),
            (true, 80) => format!("[{host}]"),
            (false, _) => format!("{host}:{port}"),
            (true, _) => format!("[{host}]:{port}"),
        }
    }

    /// `reader.readline()` for a header, with a ceiling: the next line without its line ending;
    /// an error for a line longer than [`MAX_LINE`] bytes, or for the end of the stream (the
    /// headers end with an empty line, not with the end of the connection).
    pub async fn read_line(reader: &mut (impl AsyncBufRead + Unpin)) -> io::Result<Vec<u8>> {
        let mut line = Vec::new();
        let mut limited = reader.take(MAX_LINE as u64 + 2);
        if limited.read_until(b'\n', &mut line).await? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection before the end of the headers",
            ));
        }
        if line.last() != Some(&b'\n') && line.len() > MAX_LINE {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a header line longer than {MAX_LINE} bytes"),
            ));
        }
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        Ok(line)
    }
}

pub mod web {
    //! `aio_web`'s machinery: the tutorial's wait, HTML escaping, and serving with deadlines.
    //!
    //! A client has `timeout` to send each request, counted from its connection or from the
    //! server's last answer: a client that sends half a header and stops (slowloris), or a
    //! keep-alive connection that stays idle, is closed then, so that such clients cannot hold
    //! every file descriptor of the server. Sending bytes one at a time does not extend it.
    //! (hyper has the same deadline as `header_read_timeout`, but axum's `serve` does not expose
    //! it; here it sits in the socket, through axum's public `Listener` trait.)

    use axum::Router;
    use axum::serve::Listener;
    use shared::Context as _;
    use std::io;
    use std::net::SocketAddr;
    use std::pin::Pin;
    use std::task::{Context, Poll, ready};
    use std::time::Duration;
    use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
    use tokio::net::{TcpListener, TcpStream};
    use tokio::time::{Instant, Sleep};

    /// `await asyncio.sleep(0.5)`, scaled. A zero sleep would still wait for the timer's next
    /// millisecond, so with `TUTORIAL_TIME_SCALE=0` there is no sleep at all.
    pub async fn wait() {
        let delay = shared::time::scaled(Duration::from_millis(500));
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
    }

    /// The name as text, never as markup: `<script>` becomes `&lt;script&gt;`; a control
    /// character (a NUL from `%00`, which HTML does not allow) becomes `\u{fffd}`, `�`.
    pub fn html_escape(text: &str) -> String {
        let mut escaped = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => escaped.push('\u{fffd}'),
                '&' => escaped.push_str("&amp;"),
                '<' => escaped.push_str("&lt;"),
                '>' => escaped.push_str("&gt;"),
                '"' => escaped.push_str("&quot;"),
                '\'' => escaped.push_str("&#x27;"),
                c => escaped.push(c),
            }
        }
        escaped
    }

    /// A listening socket on `addr` with room for 4096 connections waiting to be accepted
    /// (tokio's `bind` asks for 1024): when ten thousand clients connect at once, the ones that
    /// find the queue full have their connection attempt dropped and retry only a second or more
    /// later. Linux caps the queue at `net.core.somaxconn` (4096 since Linux 5.4).
    pub fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
        let socket = match addr {
            SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
            SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
        };
        #[cfg(not(windows))]
        socket.set_reuseaddr(true)?;
        socket.bind(addr)?;
        socket.listen(4096)
    }

    /// Serves `app` on `listener` until Ctrl-C or SIGTERM, giving every client `timeout` per
    /// request (see the module's doc); then the requests under way get at most `grace` to finish.
    pub async fn serve(
        listener: TcpListener,
        app: Router,
        timeout: Duration,
        grace: Duration,
    ) -> shared::Result {
        let (stopping_tx, mut stopping) = tokio::sync::watch::channel(false);
        // The deadline also covers the tutorial's wait, so that it never cuts off an answer.
        let timeout = timeout + shared::time::scaled(Duration::from_millis(500));
        let listener = WithDeadlines { listener, timeout };
        let stop = stop_signal()?;
        let server = axum::serve(listener, app).with_graceful_shutdown(async move {
            // Ctrl-C or SIGTERM: stop accepting, let the requests under way finish ...
            stop.await;
            let _ = stopping_tx.send(true);
        });
        // ... but not for ever: a client that never finishes its request cannot keep us running.
        let cut_off = async {
            let _ = stopping.wait_for(|stopping| *stopping).await;
            tokio::time::sleep(grace).await;
        };
        tokio::select! {
            result = server => result.context("server error"),
            _ = cut_off => {
                eprintln!("note: requests still open after {} s were cut off", grace.as_secs_f64());
                Ok(())
            }
        }
    }

    /// What stops the server: Ctrl-C (SIGINT), or SIGTERM, which service managers and
    /// `docker stop` send. Both are set up here, before serving, so that a system that cannot
    /// give us signals says so at once, and a Ctrl-C that comes once a request has been answered
    /// is always ours to handle. (`tokio::signal::ctrl_c()` would set up its handler only when
    /// first polled, and axum may answer a first request before it polls the shutdown future: a
    /// Ctrl-C then killed the process outright.)
    fn stop_signal() -> shared::Result<impl std::future::Future<Output = ()>> {
        #[cfg(unix)]
        let (mut interrupt, mut terminate) = {
            use tokio::signal::unix::{SignalKind, signal};
            let interrupt = signal(SignalKind::interrupt()).context("cannot wait for Ctrl-C")?;
            let terminate = signal(SignalKind::terminate()).context("cannot wait for SIGTERM")?;
            (interrupt, terminate)
        };
        #[cfg(not(unix))]
        let mut interrupt = tokio::signal::windows::ctrl_c().context("cannot wait for Ctrl-C")?;
        Ok(async move {
            #[cfg(unix)]
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            #[cfg(not(unix))]
            let _ = interrupt.recv().await;
        })
    }

    /// A TCP listener whose connections carry a [`Deadline`].
    struct WithDeadlines {
        listener: TcpListener,
        timeout: Duration,
    }

    impl Listener for WithDeadlines {
        type Io = Deadline;
        type Addr = SocketAddr;

        async fn accept(&mut self) -> (Deadline, SocketAddr) {
            let (stream, addr) = Listener::accept(&mut self.listener).await;
            let _ = stream.set_nodelay(true);
            let timeout = self.timeout;
            let sleep = Box::pin(tokio::time::sleep(timeout));
            (
                Deadline {
                    stream,
                    timeout,
                    sleep,
                },
                addr,
            )
        }

        fn local_addr(&self) -> io::Result<SocketAddr> {
            self.listener.local_addr()
        }
    }

    /// A connection that fails its reads once `timeout` has passed since it was accepted or
    /// last written to (the server's last answer).
    struct Deadline {
        stream: TcpStream,
        timeout: Duration,
        sleep: Pin<Box<Sleep>>,
    }

    impl AsyncRead for Deadline {
        fn poll_read(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            let timed_out = || Err(io::Error::new(io::ErrorKind::TimedOut, "client too slow"));
            if Instant::now() >= self.sleep.deadline() {
                return Poll::Ready(timed_out());
            }
            match Pin::new(&mut self.stream).poll_read(cx, buf) {
                Poll::Pending => {
                    ready!(self.sleep.as_mut().poll(cx));
                    Poll::Ready(timed_out())
                }
                ready => ready,
            }
        }
    }

    impl AsyncWrite for Deadline {
        fn poll_write(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            let written = ready!(Pin::new(&mut self.stream).poll_write(cx, buf));
            let next = Instant::now() + self.timeout;
            self.sleep.as_mut().reset(next);
            Poll::Ready(written)
        }

        fn poll_write_vectored(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            bufs: &[io::IoSlice<'_>],
        ) -> Poll<io::Result<usize>> {
            let written = ready!(Pin::new(&mut self.stream).poll_write_vectored(cx, bufs));
            let next = Instant::now() + self.timeout;
            self.sleep.as_mut().reset(next);
            Poll::Ready(written)
        }

        fn is_write_vectored(&self) -> bool {
            self.stream.is_write_vectored()
        }

        fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Pin::new(&mut self.stream).poll_flush(cx)
        }

        fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Pin::new(&mut self.stream).poll_shutdown(cx)
        }
    }
}

pub mod threads {
    //! How many more threads Linux lets this process start.
    //!
    //! Each Rust thread takes about four memory mappings: its stack and the stack's guard page,
    //! and an alternate signal stack with its own guard page, which the new thread maps for
    //! itself. Linux caps a process's mappings (`vm.max_map_count`, 65530 by default), so
    //! somewhere past 16,000 threads `spawn` either fails (which a program can handle) or, worse,
    //! the new thread cannot map its signal stack and the whole process aborts. Counting the
    //! room first keeps a program on the safe side of that edge. Address-space limits
    //! (`ulimit -v`) are counted the same way, keeping room for the allocator's per-thread
    //! arenas (glibc reserves up to 8 per core, 64 MiB of address space each).

    /// Mappings and address space kept free for everything else (the allocator, the runtime).
    const MAPS_MARGIN: u64 = 2_000;
    const BYTES_MARGIN: u64 = 64 << 20;
    const ARENA_BYTES: u64 = 64 << 20;
    /// Mappings per thread (see the module's doc).
    const MAPS_PER_THREAD: u64 = 4;

    /// How many more threads with `stack_size`-byte stacks fit in this process's limits, or
    /// `None` where that cannot be read (not Linux).
    pub fn room(stack_size: u64) -> Option<u64> {
        let read = |path: &str| std::fs::read_to_string(path).ok();
        let max_maps: u64 = read("/proc/sys/vm/max_map_count")?.trim().parse().ok()?;
        let maps = read("/proc/self/maps")?.lines().count() as u64;
        let mut room = max_maps.saturating_sub(maps + MAPS_MARGIN) / MAPS_PER_THREAD;
        // ulimit -v: the address space.
        let limits = read("/proc/self/limits")?;
        let max_bytes = limits
            .lines()
            .find(|l| l.starts_with("Max address space"))
            .and_then(|l| l.split_whitespace().nth(3))
            .and_then(|soft| soft.parse::<u64>().ok());
        if let Some(max_bytes) = max_bytes {
            let status = read("/proc/self/status")?;
            let used_kib: u64 = status
                .lines()
                .find_map(|l| l.strip_prefix("VmSize:"))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())?;
            // The stack, its guard page, and the signal stack with its guard (64 KiB at most).
            let per_thread = stack_size + 4096 + 64 * 1024;
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
            let margin = BYTES_MARGIN + 8 * cores * ARENA_BYTES;
            let free = max_bytes.saturating_sub(used_kib * 1024 + margin);
            room = room.min(free / per_thread);
        }
        Some(room)
    }
}

#[cfg(test)]
mod tests {
    use super::web::html_escape;
    use super::wget::{host_and_port, host_header};

    #[test]
    fn hosts() {
        let ok = |h: &str, p: u16| Ok((h.to_string(), p));
        assert_eq!(host_and_port("www.163.com"), ok("www.163.com", 80));
        assert_eq!(host_and_port("127.0.0.1:8000"), ok("127.0.0.1", 8000));
        assert_eq!(host_and_port("[::1]:8000"), ok("::1", 8000));
        assert_eq!(host_and_port("[::1]"), ok("::1", 80));
        assert_eq!(host_and_port("::1"), ok("::1", 80));
        for bad in ["", ":80", "host:", "[::1", "[::1]8000", "a b", "[]:80"] {
            assert!(host_and_port(bad).is_err(), "{bad:?}");
        }
        assert_eq!(host_header("::1", 8000), "[::1]:8000");
        assert_eq!(host_header("localhost", 80), "localhost");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            html_escape("<script>alert('x' & \"y\")</script>"),
            "&lt;script&gt;alert(&#x27;x&#x27; &amp; &quot;y&quot;)&lt;/script&gt;"
        );
        assert_eq!(html_escape("a\0b\u{7}c\td"), "a\u{fffd}b\u{fffd}c\td");
        assert_eq!(html_escape("Bob"), "Bob");
    }
}
