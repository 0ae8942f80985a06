;; The lab's matrix-product kernels (gemm.ts drives them). Assembled by wabt at build time
;; (scripts/gen-wasm.mjs -> generated/gemm.ts), once per combination of the two variants below.
;;
;; C[M,N] = A[M,K] B[K,N] the way BLAS libraries do it (Goto & van de Geijn): A is packed into
;; row panels of MR rows stored k-major (Ap[k][r]), B into column panels of NR columns stored
;; k-major (Bp[k][c]), both zero-padded to whole panels. An MR x NR tile of C lives in
;; MR NR / 4 f32x4 registers while k runs: per k, NR/4 vector loads of B, MR one-float splat
;; loads of A (v128.load32_splat, the row's offset folded into the instruction), and MR NR / 4
;; multiply-adds, so the loop is all arithmetic and two pointer bumps. 4 x 8 keeps the tile,
;; the B row and the A splat in 11 of x64's 16 vector registers; wider tiles (6x8, 4x12, 5x8)
;; and an unrolled k loop measured slower under V8, which then spilled registers.
;;
;; Exports (byte offsets, counts):
;;   panels(ap, bp, cp, kc, npan, ldc, bstep, acc)
;;       for p < npan: the C tile at cp + p NR 4 (row stride ldc bytes) (+)= Ap[0:kc] x Bp_p[0:kc],
;;       with Bp_p = bp + p bstep; acc = 0 overwrites the tile, else adds to it.
;;   packA(src, kStep, rStep, dst, k, rows)   Ap[kk][r] = src[kk kStep + r rStep], r < rows, zeros to MR
;;   packB(src, kStep, cStep, dst, k, cols)   Bp[kk][c] = src[kk kStep + c cStep], c < cols, zeros to NR
;; Steps are in bytes, so one packer serves a matrix and its transpose (swap the steps).

;; fma=1: the multiply-add is f32x4.relaxed_madd (relaxed SIMD), one fused instruction where the
;; CPU has FMA; fma=0: f32x4.mul then f32x4.add, for runtimes without relaxed SIMD.
;;#variant fma 0 1
;; shared=1: the memory is imported shared, for the second thread (pool.ts); shared=0: the wasm
;; backend's own heap.
;;#variant shared 0 1
;;#define MR 4
;;#define NR 8
;;#define NV NR/4
(module
;;#if shared
  (import "env" "memory" (memory 0 65536 shared))
;;#else
  (import "env" "memory" (memory 0))
;;#end

  (func (export "panels")
    (param $ap i32) (param $bp i32) (param $cp i32) (param $kc i32)
    (param $npan i32) (param $ldc i32) (param $bstep i32) (param $acc i32)
    ;; a, b: this k's column of the A panel and row of the B panel; c: this tile's first row in C
    (local $a i32) (local $b i32) (local $aEnd i32) (local $c i32) (local $cEnd i32) (local $row i32)
    ;; the tile: acc_r_v holds C[r][4v .. 4v+3]
;;#for r in range(MR)
;;#for v in range(NV)
    (local $acc_{r}_{v} v128)
;;#end
;;#end
    ;; bv_v: B[k][4v .. 4v+3]; av: A[r][k] in all four lanes
;;#for v in range(NV)
    (local $bv_{v} v128)
;;#end
    (local $av v128)
    (local.set $c (local.get $cp))
    (local.set $cEnd (i32.add (local.get $cp) (i32.mul (local.get $npan) (i32.const {NR*4}))))
    (local.set $aEnd (i32.add (local.get $ap) (i32.mul (local.get $kc) (i32.const {MR*4}))))
    (block $tilesDone
      (loop $tiles
        (br_if $tilesDone (i32.ge_u (local.get $c) (local.get $cEnd)))
        (local.set $a (local.get $ap))
        (local.set $b (local.get $bp))
        (if (local.get $acc)
          (then
            ;; C += A B: start from the tile as it is
;;#for r in range(MR)
;;#if r == 0
            (local.set $row (local.get $c))
;;#else
            (local.set $row (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const {r}))))
;;#end
;;#for v in range(NV)
            (local.set $acc_{r}_{v} (v128.load offset={16*v} (local.get $row)))
;;#end
;;#end
            )
          (else
            ;; C = A B: start from zero
;;#for r in range(MR)
;;#for v in range(NV)
            (local.set $acc_{r}_{v} (v128.const i32x4 0 0 0 0))
;;#end
;;#end
            ))
        (block $kDone
          (loop $k
            (br_if $kDone (i32.ge_u (local.get $a) (local.get $aEnd)))
            ;; one k: acc_r_v += A[r][k] B[k][4v .. 4v+3] for every r, v
;;#for v in range(NV)
            (local.set $bv_{v} (v128.load offset={16*v} (local.get $b)))
;;#end
;;#for r in range(MR)
            (local.set $av (v128.load32_splat offset={4*r} (local.get $a)))
;;#for v in range(NV)
;;#if fma
            (local.set $acc_{r}_{v} (f32x4.relaxed_madd (local.get $av) (local.get $bv_{v}) (local.get $acc_{r}_{v})))
;;#else
            (local.set $acc_{r}_{v} (f32x4.add (local.get $acc_{r}_{v}) (f32x4.mul (local.get $av) (local.get $bv_{v}))))
;;#end
;;#end
;;#end
            (local.set $a (i32.add (local.get $a) (i32.const {MR*4})))
            (local.set $b (i32.add (local.get $b) (i32.const {NR*4})))
            (br $k)))
        ;; the tile back to C
;;#for r in range(MR)
;;#if r == 0
        (local.set $row (local.get $c))
;;#else
        (local.set $row (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const {r}))))
;;#end
;;#for v in range(NV)
        (v128.store offset={16*v} (local.get $row) (local.get $acc_{r}_{v}))
;;#end
;;#end
        ;; the next tile to the right, and the next B panel
        (local.set $c (i32.add (local.get $c) (i32.const {NR*4})))
        (local.set $bp (i32.add (local.get $bp) (local.get $bstep)))
        (br $tiles))))

  ;; pack(src, kStep, lStep, dst, k, count): dst[kk][l] = src[kk kStep + l lStep] for l < count,
  ;; zeros up to W (W = MR for A's row panels, NR for B's column panels). Full panels
  ;; (count = W) take a vector path: when the rows are contiguous in l (lStep = 4) each row is
  ;; copied a vector at a time; when they are contiguous in k (kStep = 4: a plain A, a transposed
  ;; B) 4 x 4 blocks are read as four vectors along k and transposed in registers, four k at a
  ;; time. Whatever is left (a partial panel, the last k mod 4 rows, other steps) takes the
  ;; scalar loop.
;;#for name W in packA MR, packB NR
  (func (export "{name}")
    (param $src i32) (param $kStep i32) (param $lStep i32) (param $dst i32) (param $k i32) (param $count i32)
    (local $d i32) (local $dEnd i32) (local $s i32) (local $l i32) (local $lEnd i32) (local $wEnd i32) (local $end4 i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $d (local.get $dst))
    (local.set $s (local.get $src))
    ;; dEnd = dst + k W 4: the packed panel is k rows of W floats
    (local.set $dEnd (i32.add (local.get $dst) (i32.mul (local.get $k) (i32.const {W*4}))))
    (if (i32.and (i32.eq (local.get $lStep) (i32.const 4)) (i32.eq (local.get $count) (i32.const {W})))
      (then
        ;; a full panel whose rows are contiguous: copy row by row, then done
        (block $done
          (loop $rows
            (br_if $done (i32.ge_u (local.get $d) (local.get $dEnd)))
;;#for v in range(W/4)
            (v128.store offset={16*v} (local.get $d) (v128.load offset={16*v} (local.get $s)))
;;#end
            (local.set $d (i32.add (local.get $d) (i32.const {W*4})))
            (local.set $s (i32.add (local.get $s) (local.get $kStep)))
            (br $rows)))
        (return)))
    (if (i32.and (i32.eq (local.get $kStep) (i32.const 4)) (i32.eq (local.get $count) (i32.const {W})))
      (then
        ;; a full panel whose columns are contiguous: four k at a time, up to end4 = dst + (k - k mod 4) W 4
        (local.set $end4 (i32.add (local.get $dst) (i32.mul (i32.and (local.get $k) (i32.const -4)) (i32.const {W*4}))))
        (block $done
          (loop $quads
            (br_if $done (i32.ge_u (local.get $d) (local.get $end4)))
;;#for g in range(W/4)
            ;; columns l = 4g .. 4g+3 with g = {g}: v_i = src column 4g+i, k .. k+3 (a b c d below)
;;#for i in range(4)
            (local.set $v{i} (v128.load (i32.add (local.get $s) (i32.mul (local.get $lStep) (i32.const {4*g+i})))))
;;#end
            ;; the 4 x 4 transpose: t0 = a0 b0 a1 b1, t1 = a2 b2 a3 b3, t2 = c0 d0 c1 d1, t3 = c2 d2 c3 d3
            ;; (i8x16.shuffle picks bytes of the pair: 0-15 the first vector, 16-31 the second)
            (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1)))
            (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3)))
            (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3)))
            ;; row k+j of the panel, columns 4g .. 4g+3: a_j b_j c_j d_j
            ;; k:   (t0, t2) lanes 0 1 4 5;  k+1: (t0, t2) lanes 2 3 6 7
            ;; k+2: (t1, t3) lanes 0 1 4 5;  k+3: (t1, t3) lanes 2 3 6 7
            (v128.store offset={16*g} (local.get $d)
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
            (v128.store offset={W*4 + 16*g} (local.get $d)
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
            (v128.store offset={2*W*4 + 16*g} (local.get $d)
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
            (v128.store offset={3*W*4 + 16*g} (local.get $d)
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
;;#end
            (local.set $d (i32.add (local.get $d) (i32.const {4*W*4})))
            (local.set $s (i32.add (local.get $s) (i32.const 16)))
            (br $quads)))))
    ;; the scalar loop, one packed row (one k) at a time, from wherever the vector paths stopped
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $d) (local.get $dEnd)))
        (local.set $l (local.get $s))
        ;; lEnd = d + count 4: the values; wEnd = d + W 4: the zeros after them
        (local.set $lEnd (i32.add (local.get $d) (i32.mul (local.get $count) (i32.const 4))))
        (local.set $wEnd (i32.add (local.get $d) (i32.const {W*4})))
        (block $valuesDone
          (loop $values
            (br_if $valuesDone (i32.ge_u (local.get $d) (local.get $lEnd)))
            (f32.store (local.get $d) (f32.load (local.get $l)))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (local.set $l (i32.add (local.get $l) (local.get $lStep)))
            (br $values)))
        (block $zerosDone
          (loop $zeros
            (br_if $zerosDone (i32.ge_u (local.get $d) (local.get $wEnd)))
            (f32.store (local.get $d) (f32.const 0))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (br $zeros)))
        (local.set $s (i32.add (local.get $s) (local.get $kStep)))
        (br $rows))))
;;#end
)
