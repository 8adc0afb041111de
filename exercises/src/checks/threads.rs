//! 多线程, ThreadLocal, 进程 vs. 线程: the checks whose lesson is threads.

use super::{source_has, words};
use crate::lang::count;
use crate::observe;
use crate::run::{self, Check, Failure, Options};
use crate::say;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// share_counter: two threads that change one value need a lock or an atomic, and then no
/// change is lost. Seen: a count the checker chooses, on two cores.
pub fn share_counter(check: &Check<'_>) -> Result<(), Failure> {
    let lang = check.lang;
    // Never 100000, the count a program that ignores its argument would make.
    let n = fastrand::u64(100_001..=200_000);
    let hung = say!(
        lang,
        "two threads adding up take a moment",
        "两个线程做加法，片刻就能完成"
    );
    let options = Options {
        args: vec![n.to_string()],
        cores: Some(2),
        ..Options::default()
    };
    let out = run::run(check, options, &hung)?;
    out.succeeded(lang)?;
    let printed = out
        .lines()
        .first()
        .and_then(|l| l.trim().parse::<u64>().ok());
    let why = match printed {
        Some(total) if total == 2 * n => return Ok(()),
        Some(0) => say!(
            lang,
            "it printed 0: each thread changed a copy of its own (a `move` closure copies a number); share one counter",
            "它输出了 0：每个线程改的都是自己的一份副本（`move` 闭包会复制数字）；要共享同一个计数器"
        ),
        Some(total) if total == n => say!(
            lang,
            "it counted one thread's additions only: both threads must add to one counter",
            "它只算进了一个线程的加法：两个线程必须加到同一个计数器上"
        ),
        Some(_) => say!(
            lang,
            "the two threads' additions do not add up to their sum: changes were lost, or it counted something else than it was asked (the count comes as an argument)",
            "两个线程加的次数合起来不等于总数：有修改丢失了，或者它加的次数不是要求的次数（次数由命令行参数给出）"
        ),
        None => say!(lang, "it should print one number", "它应该只输出一个数"),
    };
    Err(Failure::new(why).with(&out))
}

/// deadlock_order: two threads that each take two locks take them in one order, and then
/// neither can hold one and wait for the other's. Seen: the locks themselves say who holds
/// them (a [`crate::lab::Lock`] writes to a file the checker names), and the first one taken
/// is held until the other thread comes for a lock, so that a wrong order deadlocks on every
/// run.
pub fn deadlock_order(check: &Check<'_>) -> Result<(), Failure> {
    let lang = check.lang;
    let trace = std::env::temp_dir().join(format!(
        "exercises-locks-{}-{:08x}",
        std::process::id(),
        fastrand::u32(..)
    ));
    let hung = say!(
        lang,
        "each thread holds one lock and waits for the other's: a deadlock",
        "每个线程各持有一把锁，又在等对方的锁：死锁了"
    );
    let options = Options {
        env: vec![(
            crate::lab::TRACE_VAR.into(),
            trace.to_string_lossy().into_owned(),
        )],
        cores: Some(2),
        ..Options::default()
    };
    let out = run::run(check, options, &hung);
    let events = std::fs::read_to_string(&trace).unwrap_or_default();
    let _ = std::fs::remove_file(&trace);
    let out = out?;
    out.succeeded(lang)?;
    // Replay the trace: the threads that held A and B at once.
    let mut holding: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut both = BTreeSet::new();
    for line in events.lines() {
        let mut parts = line.split(' ');
        let (Some(thread), Some(what), Some(lock)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let held = holding.entry(thread).or_default();
        match what {
            "take" => _ = held.insert(lock),
            _ => _ = held.remove(lock),
        }
        if held.contains("A") && held.contains("B") {
            both.insert(thread);
        }
    }
    if both.len() < 2 {
        let n = count(lang, both.len(), "thread", "threads", "个线程");
        return Err(Failure::new(say!(
            lang,
            "{n} held locks A and B at once, not two: each thread must take both locks (A.lock() and B.lock()) and hold them together",
            "只有 {n}同时持有锁 A 和锁 B，而不是两个：每个线程都要获取两把锁（A.lock() 和 B.lock()），并同时持有"
        ))
        .with(&out));
    }
    Ok(())
}

/// thread_local: each thread keeps its own value of a thread-local variable, added to over
/// several calls of functions that do not take it, even when all the threads have added theirs
/// before any reads. Seen: students and marks the checker chooses, one thread each; backed up by
/// `thread_local!` in the source.
pub fn thread_local(check: &Check<'_>) -> Result<(), Failure> {
    let lang = check.lang;
    // Two marks or more, each above 0: a student's total is never its last mark alone, and with
    // two students or more never the total of all the marks.
    let students: Vec<(String, Vec<u64>)> = words(fastrand::usize(2..=4))
        .into_iter()
        .map(|w| {
            let name = w[..1].to_uppercase() + &w[1..];
            let marks = (0..fastrand::usize(2..=4))
                .map(|_| fastrand::u64(1..=100))
                .collect();
            (name, marks)
        })
        .collect();
    let hung = say!(
        lang,
        "adding up a few marks takes no time: is the barrier kept?",
        "加几个分数用不了多少时间：屏障（barrier）还在吗？"
    );
    let options = Options {
        args: students
            .iter()
            .map(|(name, marks)| {
                let marks: Vec<String> = marks.iter().map(u64::to_string).collect();
                format!("{name}={}", marks.join(","))
            })
            .collect(),
        cores: Some(2),
        ..Options::default()
    };
    let out = run::run(check, options, &hung)?;
    out.succeeded(lang)?;
    let mut lines = out.lines();
    lines.sort();
    // Each thread's line, with the total that is asked for, or the one a mistake makes.
    let each = |total: &dyn Fn(&[u64]) -> u64| -> Vec<String> {
        let mut want: Vec<String> = students
            .iter()
            .enumerate()
            .map(|(i, (s, marks))| format!("Total for {s}: {} (in Thread-{})", total(marks), i + 1))
            .collect();
        want.sort();
        want
    };
    let want = each(&|marks| marks.iter().sum());
    if lines != want {
        let all: u64 = students.iter().flat_map(|(_, m)| m).sum();
        let why = if lines == each(&|_| all) {
            say!(
                lang,
                "every thread printed the total of all the marks: TOTAL is one value shared by all threads; give each thread its own",
                "每个线程输出的都是全部分数的总和：TOTAL 是所有线程共用的一个值；要让每个线程有自己的一个"
            )
        } else if lines == each(&|marks| marks.last().copied().unwrap_or_default()) {
            say!(
                lang,
                "each thread printed its student's last mark: each call of add_mark must add to the thread's total, not replace it",
                "每个线程输出的都是本线程学生的最后一个分数：每次调用 add_mark 都要加到本线程的总分上，而不是替换它"
            )
        } else if lines == each(&|_| 0) {
            say!(
                lang,
                "every thread printed 0: a thread-local starts afresh in every thread, so each thread must add its own marks; were they added in the main thread?",
                "每个线程输出的都是 0：线程局部变量在每个线程里都从头开始，所以每个线程都要自己加上自己的分数；是不是在主线程里加的？"
            )
        } else {
            let right = lines.iter().filter(|l| want.contains(l)).count();
            let n = students.len();
            say!(
                lang,
                "{right} of {n} threads printed their own student's total (the students and marks are given as arguments): each thread must add up its own",
                "{n} 个线程中只有 {right} 个输出了自己学生的总分（学生和分数由命令行参数给出）：每个线程都要加出自己的总分"
            )
        };
        return Err(Failure::new(why).with(&out));
    }
    if !source_has(check, "thread_local!") {
        return Err(Failure::new(say!(
            lang,
            "the totals are right, but there is no thread_local! in the file: without the barrier a shared value happens to work; declare one value per thread",
            "总分是对的，但文件里没有 thread_local!：去掉屏障，共用一个值也可能碰巧是对的；要为每个线程各声明一个值"
        ))
        .with(&out));
    }
    Ok(())
}

/// Whether `n` is prime, as the exercise counts.
fn is_prime(n: u64) -> bool {
    n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| n % d != 0)
}

/// The CPU time of the calling thread (Linux).
fn thread_cpu() -> Option<Duration> {
    #[cfg(target_os = "linux")]
    {
        use nix::libc;
        // SAFETY: an all-zero timespec is valid; clock_gettime writes it.
        let mut t: libc::timespec = unsafe { std::mem::zeroed() };
        // SAFETY: `t` is valid for writes.
        let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) } == 0;
        ok.then(|| Duration::new(t.tv_sec as u64, t.tv_nsec as u32))
    }
    #[cfg(not(target_os = "linux"))]
    None
}

/// primes_rayon: compute-bound work split over every core by rayon runs on all of them at
/// once, each thread's part combined into one result (a count and a sum), and costs no more CPU
/// than one thread's pass. Seen, on two cores: its threads runnable at once (the checker's
/// looks); its CPU time, and each thread's, against a one-thread pass the checker makes itself
/// over the same range, which it chooses.
pub fn primes_rayon(check: &Check<'_>) -> Result<(), Failure> {
    let lang = check.lang;
    let limit = fastrand::u64(400_000..=500_000);
    // The checker's own pass, on one thread: the answer, and the CPU time the work needs.
    let ((primes, sum), reference) = std::thread::scope(|s| {
        s.spawn(|| {
            let before = thread_cpu();
            let answer = (0..limit)
                .filter(|&n| is_prime(n))
                .fold((0u64, 0u64), |(count, sum), n| (count + 1, sum + n));
            (answer, thread_cpu().zip(before).map(|(a, b)| a - b))
        })
        .join()
        .unwrap_or(((0, 0), None))
    });
    let cores = observe::cores().min(2);
    let hung = say!(
        lang,
        "the count takes a second or two",
        "这个计数一两秒就能完成"
    );
    let options = Options {
        args: vec![limit.to_string()],
        cores: Some(cores),
        ..Options::default()
    };
    let out = run::run(check, options, &hung)?;
    out.succeeded(lang)?;
    if out.lines() != [format!("{primes} primes below {limit}, their sum {sum}")] {
        return Err(Failure::new(say!(
            lang,
            "it did not print the right count of primes below {limit} and their sum, as `N primes below {limit}, their sum S` (the limit comes as an argument)",
            "它输出的 {limit} 以下素数的个数与和不对，应为 `N primes below {limit}, their sum S`（上限由命令行参数给出）"
        ))
        .with(&out));
    }
    if cores < 2 {
        return Ok(()); // one core: nothing to show
    }
    if let (Some(cpu), Some(reference)) = (out.cpu, reference) {
        // The same work on more threads costs about the same CPU time (1.0x to 1.1x measured,
        // busy machine or not); a thread that only burns CPU beside the pass, or a second pass
        // (count, then sum), costs 2x.
        if cpu.as_secs_f64() > 1.3 * reference.as_secs_f64() + 0.02 {
            let (cpu, one) = (cpu.as_secs_f64(), reference.as_secs_f64());
            return Err(Failure::new(say!(
                lang,
                "it used {cpu:.2} s of CPU where one thread's pass takes {one:.2} s: the work is done twice (one pass gives both the count and the sum), or its threads burn CPU beside it",
                "它用了 {cpu:.2} 秒 CPU 时间，而一个线程走一遍只需 {one:.2} 秒：同样的计算做了两遍（走一遍就能同时得出个数和总和），或者它的线程在计算之外白白耗费 CPU"
            ))
            .with(&out));
        }
    }
    let seen = &out.seen;
    let busiest = seen
        .thread_ticks
        .values()
        .max()
        .map(|&t| t as f64 * observe::TICK);
    if let (Some(busiest), Some(reference)) = (busiest, reference) {
        // Shared by two threads, the count costs each about half of one thread's count.
        let one = reference.as_secs_f64();
        if busiest >= 0.8 * one {
            return Err(Failure::new(say!(
                lang,
                "one of its threads did the whole pass ({busiest:.2} s of CPU, where one thread's pass takes {one:.2} s): the work is not shared between the cores",
                "它的一个线程独自完成了全部计算（用了 {busiest:.2} 秒 CPU 时间，而一个线程走一遍只需 {one:.2} 秒）：计算没有分担到各个核上"
            ))
            .with(&out));
        }
    }
    if seen.watched && seen.busy_looks >= 5 {
        let share = seen.parallel_looks as f64 / seen.busy_looks as f64;
        if share < 0.5 {
            let percent = (share * 100.0).round();
            return Err(Failure::new(say!(
                lang,
                "on 2 cores, two of its threads worked at once in only {percent}% of the checker's looks: the work ran one core at a time",
                "在 2 个核上运行时，检查程序观察的各个时刻中，只有 {percent}% 的时刻有两个线程在同时计算：计算每次只用了一个核"
            ))
            .with(&out));
        }
    } else if !source_has(check, "par_iter") && !source_has(check, "par_bridge") {
        return Err(Failure::new(say!(
            lang,
            "it ran too briefly to be watched, and its file has no par_iter: count on every core with rayon",
            "它运行得太快，检查程序来不及观察，而文件里也没有 par_iter：要用 rayon 在每个核上计数"
        ))
        .with(&out));
    }
    Ok(())
}

/// threads_for_cores: compute-bound work needs one thread a core, not more (each costs a stack
/// and switches) and not fewer. Seen: its threads, run on one core and then on two (a CPU
/// affinity mask), so a count written into the program fails one of them.
pub fn threads_for_cores(check: &Check<'_>) -> Result<(), Failure> {
    let lang = check.lang;
    let most = observe::cores().min(2);
    for cores in 1..=most {
        let steps = fastrand::u64(20_000_000..=30_000_000);
        let hung = say!(
            lang,
            "the work takes a second at most",
            "这些计算最多一秒就能完成"
        );
        let options = Options {
            args: vec![steps.to_string()],
            cores: Some(cores),
            ..Options::default()
        };
        let out = run::run(check, options, &hung)?;
        out.succeeded(lang)?;
        let printed: Option<usize> = out
            .lines()
            .first()
            .and_then(|l| l.split(" threads").next()?.parse().ok());
        let seen = out.seen.most_threads.saturating_sub(1);
        let threads = if out.seen.watched {
            Some(seen)
        } else {
            printed
        };
        let on = count(lang, cores, "core", "cores", "个核");
        match threads {
            Some(n) if n == cores && printed == Some(n) => {}
            Some(n) if n == cores => {
                return Err(Failure::new(say!(
                    lang,
                    "its line should start `N threads`, N the threads that did the work",
                    "它输出的一行应以 `N threads` 开头，N 是做了计算的线程数"
                ))
                .with(&out));
            }
            Some(n) => {
                let t = count(lang, n, "thread", "threads", "个线程");
                return Err(Failure::new(say!(
                    lang,
                    "run on {on}, it worked with {t} (the checker counted them): one thread a core, as many as the machine it runs on has",
                    "在 {on}上运行时，它用了 {t}（检查程序数过）：一个核一个线程，运行它的机器有几个核就用几个线程"
                ))
                .with(&out));
            }
            None => {
                return Err(Failure::new(say!(
                    lang,
                    "its line should start `N threads`",
                    "它输出的一行应以 `N threads` 开头"
                ))
                .with(&out));
            }
        }
    }
    Ok(())
}
