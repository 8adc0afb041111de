//! 多进程, 子进程, 进程间通信, 分布式进程: the checks whose lesson is processes.

use super::words;
use crate::lang::count;
use crate::run::{self, Check, Failure, Input, Options};
use crate::say;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// pool_of_five: a pool of as many worker processes as tasks runs them all at once, each in a
/// process of its own, whatever the number of cores. Seen, on two cores, with a number of tasks
/// the checker chooses (more than five, the example's): the PIDs the tasks print are as many
/// processes whose parent is the program, seen by the checker; every task starts before any
/// ends.
pub fn pool_of_five(check: &Check<'_>) -> Result<(), Failure> {
    let lang = check.lang;
    let hung = say!(
        lang,
        "tasks of half a second each, all at once, take far less",
        "各需半秒的任务同时运行，本该很快结束"
    );
    // On two cores, as if the machine had two: a pool sized by the cores is then too small
    // on every machine, not only on small ones.
    let want = fastrand::usize(6..=9);
    let options = Options {
        args: vec![want.to_string()],
        scale: 1.0,
        cores: Some(2),
        ..Options::default()
    };
    let out = run::run(check, options, &hung)?;
    out.succeeded(lang)?;
    let lines = out.lines();
    let mut started = Vec::new();
    for (at, line) in lines.iter().enumerate() {
        let Some(rest) = line.strip_prefix("Run task ") else {
            continue;
        };
        let pid = rest
            .split('(')
            .nth(1)
            .and_then(|p| p.split(')').next()?.parse::<u32>().ok());
        started.push((at, pid));
    }
    if started.len() != want {
        let n = count(lang, started.len(), "task", "tasks", "个任务");
        return Err(Failure::new(say!(
            lang,
            "{n} started, not the {want} its argument asks for",
            "启动了 {n}，而不是命令行参数要求的 {want} 个"
        ))
        .with(&out));
    }
    let first_done = lines.iter().position(|l| l.ends_with(" done."));
    if first_done.is_some_and(|done| started.iter().any(|&(at, _)| at > done)) {
        return Err(Failure::new(say!(
            lang,
            "a task started only once another had finished: the pool has fewer worker processes than tasks",
            "有任务要等另一个任务结束后才开始：进程池里的工作进程比任务少"
        ))
        .with(&out));
    }
    let pids: BTreeSet<u32> = started.iter().filter_map(|&(_, pid)| pid).collect();
    if pids.len() != want {
        let n = count(lang, pids.len(), "process", "processes", "个进程");
        return Err(Failure::new(say!(
            lang,
            "the {want} tasks ran in {n}, not in {want}: each task in a worker process of its own",
            "{want} 个任务只在 {n}里运行，而不是 {want} 个：每个任务要在各自的工作进程里运行"
        ))
        .with(&out));
    }
    let children = out.seen.children();
    if out.seen.watched && !pids.is_subset(&children) {
        let fake: Vec<u32> = pids.difference(&children).copied().collect();
        return Err(Failure::new(say!(
            lang,
            "the checker saw no child process of your program with PID {fake:?}: the tasks must run in the pool's worker processes, and print their own PID",
            "检查程序没有看到你的程序有 PID 为 {fake:?} 的子进程：任务必须在进程池的工作进程里运行，并输出它自己的 PID"
        ))
        .with(&out));
    }
    Ok(())
}

/// communicate: a child process answers only once its input has ended, so the parent closes
/// the child's stdin before it waits. Seen: a child process of the program, and the text the
/// checker chose, in capitals.
pub fn communicate(check: &Check<'_>) -> Result<(), Failure> {
    let lang = check.lang;
    let text = format!("hello, {} {}", words(2).join(" "), fastrand::u32(10..1000));
    let options = Options {
        stdin: Input::Held(format!("{text}\n").into_bytes()),
        ..Options::default()
    };
    let mut running = run::start(check, options)?;
    // Its stdin stays open until the checker has seen the child: a child that lives as long as
    // the parent has not closed its input is seen on every run.
    let saw_child = running.wait_to_see(Instant::now() + Duration::from_secs(4), |s| {
        !s.watched || !s.children().is_empty()
    });
    running.close_stdin();
    let hung = say!(
        lang,
        "the child reads until its input ends, and its input never ends",
        "子进程一直读到输入结束为止，而它的输入始终没有结束"
    );
    let out = running.finish(&hung)?;
    out.succeeded(lang)?;
    if !saw_child && out.seen.children().is_empty() {
        return Err(Failure::new(say!(
            lang,
            "the checker saw no child process: the capitals must come from the child (`--child upper`)",
            "检查程序没有看到子进程：大写的回答必须来自子进程（`--child upper`）"
        ))
        .with(&out));
    }
    if out.lines() != [text.to_uppercase()] {
        return Err(Failure::new(say!(
            lang,
            "it printed something other than the child's answer: the text it was given on stdin, in capitals",
            "它输出的不是子进程的回答（即从标准输入读到的文字的大写形式）"
        ))
        .with(&out));
    }
    Ok(())
}

/// queue_end: a reader process stops by itself once the queue has ended (every writer gone),
/// with every value read, in order. Seen: values the checker chooses (two runs, two counts), a
/// writer and a reader process, and a program that ends by itself.
pub fn queue_end(check: &Check<'_>) -> Result<(), Failure> {
    let lang = check.lang;
    for n in [fastrand::usize(2..=4), fastrand::usize(5..=7)] {
        let values: Vec<String> = words(n).into_iter().map(|w| w.to_uppercase()).collect();
        let hung = say!(
            lang,
            "the reader never ended: no terminate() will come, so it must stop when the queue ends",
            "读进程一直没有结束：不会有 terminate() 来终止它，所以它必须在队列结束时自己停下"
        );
        let options = Options {
            args: values.clone(),
            scale: 0.25,
            ..Options::default()
        };
        let out = run::run(check, options, &hung)?;
        let got: Vec<String> = out
            .lines()
            .iter()
            .filter_map(|l| {
                Some(
                    l.strip_prefix("Get ")?
                        .strip_suffix(" from queue.")?
                        .to_string(),
                )
            })
            .collect();
        if got != values {
            let (g, v) = (got.len(), values.len());
            return Err(Failure::new(say!(
                lang,
                "the reader got {g} of the {v} values put, or not in order: it must read until the queue ends",
                "写进程放入 {v} 个值，读进程取到 {g} 个，或者顺序不对：读进程要一直读到队列结束"
            ))
            .with(&out));
        }
        out.succeeded(lang)?;
        let children = out.seen.children().len();
        if out.seen.watched && children < 2 {
            let n = count(
                lang,
                children,
                "child process",
                "child processes",
                "个子进程",
            );
            return Err(Failure::new(say!(
                lang,
                "the checker saw {n}: the values must go through the queue from a writer process to a reader process",
                "检查程序只看到 {n}：这些值必须经由队列，从写进程传到读进程"
            ))
            .with(&out));
        }
    }
    Ok(())
}

/// worker: a worker takes each task from the master's task queue and puts its result into the
/// result queue, however long the master pauses, until the master says that no more tasks come
/// (`None`). Seen: tasks the checker chooses, put one at a time by the checker's own master with
/// a pause longer than the tutorial's 1 s timeout, and the results the master gets.
pub fn worker(check: &Check<'_>) -> Result<(), Failure> {
    let lang = check.lang;
    let tasks: Vec<i64> = (0..fastrand::usize(3..=7))
        .map(|_| fastrand::i64(-999..10_000))
        .collect();
    let listed: Vec<String> = tasks.iter().map(i64::to_string).collect();
    // A pause of 1.5 to 2.5 s before one of the tasks after the first.
    let pause = format!(
        "{} {}",
        fastrand::usize(1..tasks.len()),
        fastrand::u64(1500..=2500)
    );
    let master_check = Check {
        program: &run::Program {
            exe: check.helper.clone(),
            env: vec![
                (crate::doubles::MASTER_TASKS.into(), listed.join(" ").into()),
                (crate::doubles::MASTER_PAUSE.into(), pause.into()),
            ],
            source: None,
        },
        lang,
        deadline: check.deadline,
        helper: check.helper.clone(),
    };
    let master_options = Options {
        args: vec!["--child".into(), crate::doubles::MASTER_ROLE.into()],
        stdin: Input::Held(Vec::new()),
        ..Options::default()
    };
    let mut master = run::start(&master_check, master_options)?;
    let addr = master
        .wait_for_line(|l| l.starts_with("ADDR "))
        .and_then(|l| l.strip_prefix("ADDR ").map(String::from))
        .ok_or_else(|| {
            say!(
                lang,
                "the checker's master did not start",
                "检查程序的 master 没能启动"
            )
        })?;
    let hung = say!(
        lang,
        "the worker never ended: it must end when the master puts None, no more tasks",
        "Worker 一直没有结束：Master 放入 None（不再有任务）时，它应该结束"
    );
    let options = Options {
        args: vec!["--addr".into(), addr],
        ..Options::default()
    };
    let out = run::run(check, options, &hung);
    master.close_stdin();
    let out = out?; // (the master, dropped, is killed)
    let results = master.finish(&say!(
        lang,
        "the checker's master did not end",
        "检查程序的 master 没有结束"
    ))?;
    out.succeeded(lang)?;
    let mut got: Vec<String> = results
        .lines()
        .iter()
        .filter_map(|l| l.strip_prefix("RESULT ").map(String::from))
        .collect();
    let mut want: Vec<String> = tasks
        .iter()
        .map(|n| format!("{n} * {n} = {}", n * n))
        .collect();
    got.sort();
    want.sort();
    if got != want {
        let (g, t) = (got.len(), tasks.len());
        let right = got.iter().filter(|r| want.contains(r)).count();
        return Err(Failure::new(say!(
            lang,
            "the master put {t} tasks and got {g} results, {right} of them right: take each task from the task queue and put n * n = m into the result queue",
            "master 放入 {t} 个任务，收到 {g} 个结果，其中 {right} 个正确：要从任务队列取出每个任务，把 n * n = m 放进结果队列"
        ))
        .with(&out));
    }
    Ok(())
}
