//! Runs every binary of examples-async as a real process and checks what its lesson promises:
//! one file per binary, named after it (`cargo test -p examples-async --test examples
//! aio_web::` runs aio_web's tests), whose doc comment names the lesson its tests guard. Every
//! network test talks to a server on loopback (127.0.0.1 or ::1) that it starts itself. The
//! checks every binary shares (help, unknown options, a closed stdout, a bad
//! TUTORIAL_TIME_SCALE, the outputs its header and the README show) run from the harness's
//! table (`harness::every_binary`).

mod aio_web;
mod async_hello;
mod async_wget;
mod coroutine;
mod io_bound;

harness::every_binary!(aio_web, async_hello, async_wget, coroutine, io_bound);
