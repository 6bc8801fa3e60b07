# double_buffer.s - y = silu(x) streamed through SRAM with two buffers.
#
# x and y are [128][256] f32 tensors in HBM (128 KiB each), processed as 8
# tiles of 16 rows (16 KiB). While the vector unit works on the tile in one
# buffer, the load queue fills the other and the store queue drains the
# previous result, so DMA and compute overlap. The loop body handles one pair
# of tiles (buffer 0, then buffer 1); r3 is the byte offset of the pair, read
# by the DMAs when they are dispatched.
#
# Semaphores (each buffer b = 0, 1 has its own):
#   s0, s1  "in[b] loaded"    load -> compute
#   s2, s3  "out[b] computed" compute -> store
#   s4, s5  "buffer b free"   store -> load (both start free)
#
# SRAM plan: in[0] 0x0, in[1] 0x4000, out[0] 0x8000, out[1] 0xc000.

.tool "hand-written"
.model "double-buffered silu example"

.region io kind=io addr=0x100000 size=0x200000
.input  x f32[128,256] addr=0x100000
.output y f32[128,256] addr=0x200000

.entry main
.param pairs r2                  # tile pairs to process (4 for the whole tensor)
.core 0
    li r1, 0                     # pair index
    li r3, 0                     # byte offset of the pair in x and y
    sem.signal store, s4         # both buffers start free
    sem.signal store, s5
loop:
    # Buffer 0: tile 2i.
    sem.wait load, s4
    dma.load src=hbm[r3+0x100000] dst=sram[0x0] size=16384
    sem.signal load, s0
    sem.wait compute, s0
    vsilu rows=16 cols=256 in=f32 out=f32 x=[0x0] ld0=256 dst=[0x8000] ldd=256
    sem.signal compute, s2
    sem.wait store, s2
    dma.store src=sram[0x8000] dst=hbm[r3+0x200000] size=16384
    sem.signal store, s4

    # Buffer 1: tile 2i+1.
    sem.wait load, s5
    dma.load src=hbm[r3+0x104000] dst=sram[0x4000] size=16384
    sem.signal load, s1
    sem.wait compute, s1
    vsilu rows=16 cols=256 in=f32 out=f32 x=[0x4000] ld0=256 dst=[0xc000] ldd=256
    sem.signal compute, s3
    sem.wait store, s3
    dma.store src=sram[0xc000] dst=hbm[r3+0x204000] size=16384
    sem.signal store, s5

    addi r3, r3, 32768           # next pair of tiles
    addi r1, r1, 1
    blt r1, r2, loop
    halt
