//! A seccomp filter that makes this kernel answer a 32-bit (i386) program as
//! Linux 2.6.38 would — the kernel of Red Star OS 3 — for the system calls
//! and arguments a filter can see.
//!
//! What it does, for i386 calls only (the 64-bit `execve` that starts the
//! program passes):
//!
//! - every system call numbered 341 or above fails with ENOSYS. The i386
//!   table only ever grew at its end, and 2.6.38's last entry was 340,
//!   `prlimit64` (2.6.36); 341–344 (`name_to_handle_at`, `open_by_handle_at`,
//!   `clock_adjtime`, `syncfs`) came in 2.6.39, `sendmmsg` 345 and `setns` 346
//!   in 3.0, … `getrandom` 355 in 3.17, the direct socket calls 359–373
//!   (`socket` … `shutdown`) in 4.3, `statx` 383 in 4.11, the `*_time64`
//!   calls 403–423 in 5.1, `clone3` 435 in 5.3, up to today's end (see the
//!   kernel's `arch/x86/entry/syscalls/syscall_32.tbl` and Debian's
//!   `linux-libc-dev` `asm/unistd_32.h`). Numbers below 341 that were never
//!   wired (e.g. 222, 223, 251, 285) fail there already.
//! - `socketcall(2)` with a call number above 19 (`SYS_RECVMMSG`, 2.6.33)
//!   fails with EINVAL, as 2.6.38's `sys_socketcall` answers `SYS_SENDMMSG`
//!   (20, Linux 3.0) and anything later.
//! - `futex` with an operation above 12 (`FUTEX_CMP_REQUEUE_PI`) fails with
//!   ENOSYS (`FUTEX_LOCK_PI2` is 5.14).
//! - `madvise` advice 2.6.38 did not know (`MADV_FREE` 4.5, `MADV_DONTDUMP`
//!   3.4, `MADV_WIPEONFORK` 4.14, …) fails with EINVAL.
//! - `prctl` options above 34 (`PR_MCE_KILL_GET`; `PR_SET_MM` is 3.3,
//!   `PR_SET_NO_NEW_PRIVS` 3.5, `PR_SET_VMA` 5.17) fail with EINVAL.
//! - `fcntl`/`fcntl64` commands 2.6.38 did not have (`F_OFD_*` 3.15,
//!   `F_ADD_SEALS` 3.17, …) fail with EINVAL.
//!
//! What a filter cannot imitate: arguments behind pointers (the socket
//! options inside a `socketcall` argument block), flags an old kernel
//! silently ignored (`O_PATH`, `MAP_FIXED_NOREPLACE`), and the vDSO, whose
//! `__vdso_clock_gettime64` a 2.6.38 kernel did not have (musl then falls
//! back to the `clock_gettime64` → `clock_gettime` system calls, which the
//! filter does cover).
//!
//! Written as raw BPF rather than with libseccomp: for i386, libseccomp
//! turns a rule on a direct socket call (`socket`, 359) into one on
//! `socketcall(SYS_SOCKET)` as well, so a filter that names `socket` also
//! blocks the one path that 2.6.38 had.

use std::io;
use std::os::unix::process::CommandExt;
use std::process::Command;

const AUDIT_ARCH_I386: u32 = 0x4000_0003;
const RET_ALLOW: u32 = 0x7fff_0000;
const RET_ERRNO: u32 = 0x0005_0000;
const ENOSYS: u32 = 38;
const EINVAL: u32 = 22;

/// The first i386 system call number 2.6.38 did not have.
pub const FIRST_MISSING: u32 = 341;

// struct seccomp_data: nr, arch, instruction_pointer, args[6] (u64 each;
// on little-endian x86 the low half of args[i] is at 16 + 8 i).
const OFF_NR: u32 = 0;
const OFF_ARCH: u32 = 4;
const fn off_arg(i: u32) -> u32 {
    16 + 8 * i
}

const NR_FCNTL: u32 = 55;
const NR_SOCKETCALL: u32 = 102;
const NR_PRCTL: u32 = 172;
const NR_MADVISE: u32 = 219;
const NR_FCNTL64: u32 = 221;
const NR_FUTEX: u32 = 240;

#[derive(Clone, Copy)]
enum Op {
    Ld(u32),
    /// Jump to `label` when the accumulator (after `and mask`) is one of
    /// these tests; fall through otherwise.
    JeqTo(u32, &'static str),
    JgtTo(u32, &'static str),
    JgeTo(u32, &'static str),
    And(u32),
    Ret(u32),
    Label(&'static str),
}

fn program() -> Vec<Op> {
    use Op::*;
    let mut p = vec![
        Ld(OFF_ARCH),
        JeqTo(AUDIT_ARCH_I386, "i386"),
        Ret(RET_ALLOW),
        Label("i386"),
        Ld(OFF_NR),
        JgeTo(FIRST_MISSING, "enosys"),
        JeqTo(NR_SOCKETCALL, "socketcall"),
        JeqTo(NR_FUTEX, "futex"),
        JeqTo(NR_MADVISE, "madvise"),
        JeqTo(NR_PRCTL, "prctl"),
        JeqTo(NR_FCNTL, "fcntl"),
        JeqTo(NR_FCNTL64, "fcntl"),
        Ret(RET_ALLOW),
        Label("socketcall"),
        Ld(off_arg(0)),
        JgtTo(19, "einval"),
        Ret(RET_ALLOW),
        Label("futex"),
        Ld(off_arg(1)),
        // FUTEX_CMD_MASK: without FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME
        And(!(128 | 256)),
        JgtTo(12, "enosys"),
        Ret(RET_ALLOW),
        Label("madvise"),
        Ld(off_arg(2)),
    ];
    // MADV_NORMAL..MADV_DONTNEED, MADV_REMOVE..MADV_NOHUGEPAGE,
    // MADV_HWPOISON, MADV_SOFT_OFFLINE
    for ok in [0, 1, 2, 3, 4, 9, 10, 11, 12, 13, 14, 15, 100, 101] {
        p.push(JeqTo(ok, "allow"));
    }
    p.extend([
        Ret(RET_ERRNO | EINVAL),
        Label("prctl"),
        Ld(off_arg(0)),
        JgtTo(34, "einval"),
        Ret(RET_ALLOW),
        Label("fcntl"),
        Ld(off_arg(1)),
    ]);
    // F_DUPFD..F_GETOWN_EX, F_SETLEASE, F_GETLEASE, F_NOTIFY,
    // F_DUPFD_CLOEXEC, F_SETPIPE_SZ, F_GETPIPE_SZ
    p.push(JgtTo(16, "fcntl_high"));
    p.push(Ret(RET_ALLOW));
    p.push(Label("fcntl_high"));
    for ok in [1024, 1025, 1026, 1030, 1031, 1032] {
        p.push(JeqTo(ok, "allow"));
    }
    p.extend([
        Label("einval"),
        Ret(RET_ERRNO | EINVAL),
        Label("enosys"),
        Ret(RET_ERRNO | ENOSYS),
        Label("allow"),
        Ret(RET_ALLOW),
    ]);
    p
}

/// The program as `struct sock_filter`s, jumps resolved.
pub fn assemble() -> Vec<libc::sock_filter> {
    const LD_W_ABS: u16 = 0x20;
    const JEQ_K: u16 = 0x15;
    const JGT_K: u16 = 0x25;
    const JGE_K: u16 = 0x35;
    const AND_K: u16 = 0x54;
    const RET_K: u16 = 0x06;
    let ops = program();
    let mut at = std::collections::HashMap::new();
    let mut n = 0usize;
    for op in &ops {
        match op {
            Op::Label(l) => {
                at.insert(*l, n);
            }
            _ => n += 1,
        }
    }
    let mut out = Vec::new();
    for op in ops {
        let here = out.len();
        let jump = |label: &str| -> u8 {
            let to = at[label];
            assert!(to > here, "backward jump to {label}");
            u8::try_from(to - here - 1).expect("jump within 255")
        };
        let ins = |code, jt, jf, k| libc::sock_filter { code, jt, jf, k };
        out.push(match op {
            Op::Label(_) => continue,
            Op::Ld(off) => ins(LD_W_ABS, 0, 0, off),
            Op::JeqTo(k, l) => ins(JEQ_K, jump(l), 0, k),
            Op::JgtTo(k, l) => ins(JGT_K, jump(l), 0, k),
            Op::JgeTo(k, l) => ins(JGE_K, jump(l), 0, k),
            Op::And(k) => ins(AND_K, 0, 0, k),
            Op::Ret(k) => ins(RET_K, 0, 0, k),
        });
    }
    out
}

/// Makes `cmd` start under the filter: `no_new_privs`, then the filter,
/// installed in the child between fork and exec.
pub fn apply(cmd: &mut Command) {
    let filter = assemble();
    let len = u16::try_from(filter.len()).expect("short program");
    // SAFETY: the closure runs in the forked child before exec and only
    // makes two prctl calls on memory it owns (no allocation, no locks).
    unsafe {
        cmd.pre_exec(move || {
            let prog = libc::sock_fprog {
                len,
                filter: filter.as_ptr() as *mut libc::sock_filter,
            };
            if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
                return Err(io::Error::last_os_error());
            }
            if libc::prctl(
                libc::PR_SET_SECCOMP,
                libc::SECCOMP_MODE_FILTER,
                &prog as *const libc::sock_fprog,
            ) != 0
            {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
}
