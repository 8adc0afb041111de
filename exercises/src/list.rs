//! The exercises, each declared once, here: its name, its section and whether the compiler's
//! refusal is its lesson. Everything else is derived from this table (the file
//! `exercises/exercises/NN_NAME.rs`, its solution, its wrong solutions in
//! `exercises/wrong/NAME/`, its check) or checked against it by a test that names what
//! disagrees (the `[[bin]]` entries of `exercises/Cargo.toml`, the book's pages). Plain data:
//! the build script reads this file too.

/// One exercise.
pub struct Exercise {
    /// Its name, the name a learner types (`check pool_of_five`) and its binary's name.
    pub name: &'static str,
    /// The tutorial's section, in Chinese and in English.
    pub section: (&'static str, &'static str),
    /// Whether the lesson, as shipped, is the compiler's refusal.
    pub compile_error: bool,
}

/// Every exercise, in the tutorial's order: exercise N is the table's N-th row.
pub const EXERCISES: &[Exercise] = &[
    Exercise {
        name: "pool_of_five",
        section: ("多进程 · Pool", "Multiprocessing: process pools"),
        compile_error: false,
    },
    Exercise {
        name: "communicate",
        section: ("多进程 · 子进程", "Subprocesses"),
        compile_error: false,
    },
    Exercise {
        name: "queue_end",
        section: ("多进程 · 进程间通信", "Inter-process communication"),
        compile_error: false,
    },
    Exercise {
        name: "share_counter",
        section: ("多线程 · Lock", "Multithreading: locks"),
        compile_error: true,
    },
    Exercise {
        name: "deadlock_order",
        section: ("多线程 · 死锁", "Multithreading: deadlocks"),
        compile_error: false,
    },
    Exercise {
        name: "thread_local",
        section: ("ThreadLocal", "ThreadLocal"),
        compile_error: false,
    },
    Exercise {
        name: "primes_rayon",
        section: (
            "进程 vs. 线程 · 计算密集型",
            "Processes vs. threads: compute-bound",
        ),
        compile_error: false,
    },
    Exercise {
        name: "threads_for_cores",
        section: (
            "进程 vs. 线程 · 线程切换",
            "Processes vs. threads: switching",
        ),
        compile_error: false,
    },
    Exercise {
        name: "worker",
        section: ("分布式进程", "Distributed processes"),
        compile_error: false,
    },
    Exercise {
        name: "take_turns",
        section: ("协程", "Coroutines"),
        compile_error: false,
    },
    Exercise {
        name: "fetch_concurrently",
        section: ("asyncio", "asyncio"),
        compile_error: false,
    },
    Exercise {
        name: "two_waits",
        section: ("async/await", "async/await"),
        compile_error: false,
    },
    Exercise {
        name: "escaped_route",
        section: ("aiohttp", "aiohttp"),
        compile_error: false,
    },
];

/// The name of exercise `number` (from 1) as its files are named: `01_pool_of_five`.
pub fn stem(number: usize, name: &str) -> String {
    format!("{number:02}_{name}")
}
