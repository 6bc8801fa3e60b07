# kv_decode.s - one attention decode step on two cores, one head each.
#
# The host passes the token's position in r1 (.param pos). Each core appends
# the new key and value of its head to the KV cache at row pos, reads rows
# 0..pos back, and computes
#     out = softmax(q K^T / sqrt(64)) V
# for its head. Sizes that depend on pos (the number of cached rows, the bytes
# to load) are registers, resolved when each instruction is dispatched, so the
# same binary serves every position (up to 256).
#
# Ordering: the append (store queue) must land before the cache is read back
# (load queue): s1. A barrier at the end makes the step finish on both cores
# together.
#
# HBM: inputs q, k_new, v_new are f16 [2][64] (row h = head h); the K cache
# is [2 heads][256 positions][64] f16 at 0x10000, the V cache likewise at
# 0x20000; the output is f32 [2][64].
# SRAM: q 0x0, k_new 0x80, v_new 0x100, K rows 0x1000, V rows 0x9000,
# scores 0x11000 (f32), probabilities 0x11400 (f16), result 0x11800.

.tool "hand-written"
.model "kv-cache decode example"

.region io kind=io       addr=0x0     size=0x1000
.region kv kind=kv-cache addr=0x10000 size=0x20000
.input  q     f16[2,64] addr=0x0
.input  k_new f16[2,64] addr=0x100
.input  v_new f16[2,64] addr=0x200
.output out   f32[2,64] addr=0x400

.entry decode
.param pos r1

.core 0                              # head 0
    muli r2, r1, 128                 # byte offset of row pos in a head's cache
    addi r3, r1, 1                   # rows 0..pos
    muli r4, r3, 128                 # their bytes

    dma.load src=hbm[0x0] dst=sram[0x0] size=128
    dma.load src=hbm[0x100] dst=sram[0x80] size=128
    dma.load src=hbm[0x200] dst=sram[0x100] size=128
    sem.signal load, s0

    sem.wait store, s0               # append k_new, v_new at row pos
    dma.store src=sram[0x80] dst=hbm[r2+0x10000] size=128
    dma.store src=sram[0x100] dst=hbm[r2+0x20000] size=128
    sem.signal store, s1

    sem.wait load, s1                # read rows 0..pos back
    dma.load src=hbm[0x10000] dst=sram[0x1000] size=r4
    dma.load src=hbm[0x20000] dst=sram[0x9000] size=r4
    sem.signal load, s2

    sem.wait compute, s2
    tc.config gang=16x1 precision=f16
    gemm m=1 n=r3 k=64 a=f16 b=f16 out=f32 A=[0x0] lda=64 B=[0x1000] ldb=64 transB C=[0x11000] ldc=256
    vsoftmax rows=1 cols=r3 in=f32 out=f16 x=[0x11000] ld0=256 dst=[0x11400] ldd=256 scale=0.125
    gemm m=1 n=64 k=r3 a=f16 b=f16 out=f32 A=[0x11400] lda=256 B=[0x9000] ldb=64 C=[0x11800] ldc=64
    sem.signal compute, s3

    sem.wait store, s3
    dma.store src=sram[0x11800] dst=hbm[0x400] size=256
    barrier store, 0, 0x3
    halt

.core 1                              # head 1: the same with its own rows
    muli r2, r1, 128
    addi r3, r1, 1
    muli r4, r3, 128

    dma.load src=hbm[0x80] dst=sram[0x0] size=128
    dma.load src=hbm[0x180] dst=sram[0x80] size=128
    dma.load src=hbm[0x280] dst=sram[0x100] size=128
    sem.signal load, s0

    sem.wait store, s0
    dma.store src=sram[0x80] dst=hbm[r2+0x18000] size=128
    dma.store src=sram[0x100] dst=hbm[r2+0x28000] size=128
    sem.signal store, s1

    sem.wait load, s1
    dma.load src=hbm[0x18000] dst=sram[0x1000] size=r4
    dma.load src=hbm[0x28000] dst=sram[0x9000] size=r4
    sem.signal load, s2

    sem.wait compute, s2
    tc.config gang=16x1 precision=f16
    gemm m=1 n=r3 k=64 a=f16 b=f16 out=f32 A=[0x0] lda=64 B=[0x1000] ldb=64 transB C=[0x11000] ldc=256
    vsoftmax rows=1 cols=r3 in=f32 out=f16 x=[0x11000] ld0=256 dst=[0x11400] ldd=256 scale=0.125
    gemm m=1 n=64 k=r3 a=f16 b=f16 out=f32 A=[0x11400] lda=256 B=[0x9000] ldb=64 C=[0x11800] ldc=64
    sem.signal compute, s3

    sem.wait store, s3
    dma.store src=sram[0x11800] dst=hbm[0x500] size=256
    barrier store, 0, 0x3
    halt
