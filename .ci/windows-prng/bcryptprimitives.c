/* Stand-in for bcryptprimitives.dll, which Wine 8 lacks and Rust's standard library
 * (1.78 and later) imports for ProcessPrng. Only for running the Windows binaries
 * under Wine in CI; real Windows (10 and later) has the genuine DLL.
 * Build: x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll bcryptprimitives.c bcryptprimitives.def -ladvapi32
 */
#include <windows.h>
#include <ntsecapi.h> /* RtlGenRandom, exported by advapi32 as SystemFunction036 */

/* Fills data with cryptographically random bytes; always succeeds, as the real one does. */
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!RtlGenRandom(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
