/* LD_PRELOAD shim for `bench/sentiment.py --avx2-kernels`: with CPUID faulting (arch_prctl
   ARCH_SET_CPUID, the `cpuid_fault` flag) every CPUID traps; the SIGSEGV handler runs the real CPUID and
   clears the AVX-512, VNNI, BF16 and AMX bits, so libraries that dispatch on CPUID (ONNX Runtime's MLAS,
   oneDNN, ATen) pick their AVX2 kernels: an AVX2-only CPU's code paths, measured on this one. Measurement
   only, never loaded by Rykte itself. A process that installs its own SIGSEGV handler after this one
   (Python's faulthandler, so pytest without `-p no:faulthandler`) turns the first CPUID into a crash. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <asm/prctl.h>
static long set_cpuid(int on) { return syscall(SYS_arch_prctl, ARCH_SET_CPUID, on); }
static void handler(int sig, siginfo_t *si, void *uc_) {
    ucontext_t *uc = uc_;
    uint8_t *rip = (uint8_t *)uc->uc_mcontext.gregs[REG_RIP];
    if (rip[0] != 0x0f || rip[1] != 0xa2) { signal(SIGSEGV, SIG_DFL); return; }
    uint32_t a = uc->uc_mcontext.gregs[REG_RAX], c = uc->uc_mcontext.gregs[REG_RCX], b, d;
    uint32_t leaf = a, sub = c;
    set_cpuid(1);
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    set_cpuid(0);
    if (leaf == 7 && sub == 0) {
        b &= ~((1u<<16)|(1u<<17)|(1u<<21)|(1u<<26)|(1u<<27)|(1u<<28)|(1u<<30)|(1u<<31));
        c &= ~((1u<<1)|(1u<<6)|(1u<<11)|(1u<<12)|(1u<<14));
        d &= ~((1u<<2)|(1u<<3)|(1u<<8)|(1u<<22)|(1u<<23)|(1u<<24)|(1u<<25));
    } else if (leaf == 7 && sub == 1) {
        a &= ~((1u<<4)|(1u<<5)|(1u<<21)|(1u<<23));
        d &= ~((1u<<4)|(1u<<5)|(1u<<10));
    }
    uc->uc_mcontext.gregs[REG_RAX] = a; uc->uc_mcontext.gregs[REG_RBX] = b;
    uc->uc_mcontext.gregs[REG_RCX] = c; uc->uc_mcontext.gregs[REG_RDX] = d;
    uc->uc_mcontext.gregs[REG_RIP] += 2;
}
__attribute__((constructor)) static void init(void) {
    struct sigaction sa; memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler; sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &sa, 0);
    set_cpuid(0);
}
