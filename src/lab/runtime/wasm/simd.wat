;; Small SIMD loops over the wasm backend's own heap (simd.ts binds them; conv.ts calls them).
;; Assembled by wabt at build time (scripts/gen-wasm.mjs -> generated/simd.ts). The module imports
;; the backend's memory, so it reads and writes tensors in place; arguments are byte offsets into
;; that heap and counts of floats.
;;   addTo(dst, src, n)        dst[i] += src[i], i < n      (col2im's scatter-add)
;;   copy(dst, src, n)         dst[i] = src[i],  i < n      (im2col's gather)
;;   im2col(x, p, geometry)    the patch matrix P of an NHWC input x
;;   col2im(dx, p, geometry)   the adjoint: every patch row of P added back into dx
(module
  (import "env" "memory" (memory 0))

;;#for name body in addTo 1, copy 0
  ;; {name}: four floats a step while whole groups of four remain, then one at a time.
  (func ${name} (export "{name}") (param $dst i32) (param $src i32) (param $n i32)
    (local $end4 i32) (local $end i32)
    ;; end4 = dst + 4 (n - n mod 4), end = dst + 4 n
    (local.set $end4 (i32.add (local.get $dst) (i32.mul (i32.and (local.get $n) (i32.const -4)) (i32.const 4))))
    (local.set $end (i32.add (local.get $dst) (i32.mul (local.get $n) (i32.const 4))))
    (block $done4
      (loop $four
        (br_if $done4 (i32.ge_u (local.get $dst) (local.get $end4)))
;;#if body
        (v128.store (local.get $dst) (f32x4.add (v128.load (local.get $dst)) (v128.load (local.get $src))))
;;#else
        (v128.store (local.get $dst) (v128.load (local.get $src)))
;;#end
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $src (i32.add (local.get $src) (i32.const 16)))
        (br $four)))
    (block $done
      (loop $one
        (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
;;#if body
        (f32.store (local.get $dst) (f32.add (f32.load (local.get $dst)) (f32.load (local.get $src))))
;;#else
        (f32.store (local.get $dst) (f32.load (local.get $src)))
;;#end
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (br $one))))
;;#end

  ;; The patch walk of im2col / col2im, NHWC. The patch matrix P has one row per output position
  ;; n = (b, oh, ow), of kh kw ci floats ordered (r, s, c) for filter row r, filter column s and
  ;; channel c. For each n and filter row r the input row is ih = oh sh - top + r; the filter
  ;; columns inside the image are kw0 <= s < kw1, where iw0 = ow sw - left,
  ;; kw0 = max(0, -iw0) and kw1 = min(kw, inW - iw0). That is one contiguous run of
  ;; len = (kw1 - kw0) ci floats both in x, at ((b inH + ih) inW + iw0 + kw0) ci, and in P's
  ;; row, at (r kw + kw0) ci. im2col copies x's run into P; col2im adds P's run into dx.
  ;; Rows with ih outside the image, and columns outside [kw0, kw1), are padding: P keeps the
  ;; zeros the caller put there, and col2im drops them.
;;#for name intoX in im2col 0, col2im 1
  (func (export "{name}")
    (param $x i32) (param $p i32) (param $batch i32) (param $inH i32) (param $inW i32) (param $ci i32)
    (param $outH i32) (param $outW i32) (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32)
    (param $top i32) (param $left i32)
    (local $b i32) (local $oh i32) (local $ow i32) (local $r i32) (local $iw0 i32) (local $kw0 i32)
    (local $kw1 i32) (local $len i32) (local $ih i32) (local $prow i32) (local $kb i32) (local $t i32)
    (local.set $prow (local.get $p))
    ;; kb: bytes per patch row, kh kw ci floats
    (local.set $kb (i32.mul (i32.mul (i32.mul (local.get $kh) (local.get $kw)) (local.get $ci)) (i32.const 4)))
    (local.set $b (i32.const 0))
    (block $bDone (loop $bLoop
      (br_if $bDone (i32.ge_s (local.get $b) (local.get $batch)))
      (local.set $oh (i32.const 0))
      (block $ohDone (loop $ohLoop
        (br_if $ohDone (i32.ge_s (local.get $oh) (local.get $outH)))
        (local.set $ow (i32.const 0))
        (block $owDone (loop $owLoop
          (br_if $owDone (i32.ge_s (local.get $ow) (local.get $outW)))
          ;; one output position: iw0, then the filter columns [kw0, kw1) inside the image
          (local.set $iw0 (i32.sub (i32.mul (local.get $ow) (local.get $sw)) (local.get $left)))
          (local.set $kw0 (select (local.tee $t (i32.sub (i32.const 0) (local.get $iw0))) (i32.const 0)
                                  (i32.gt_s (local.get $t) (i32.const 0))))
          (local.set $kw1 (select (local.tee $t (i32.sub (local.get $inW) (local.get $iw0))) (local.get $kw)
                                  (i32.lt_s (local.get $t) (local.get $kw))))
          (if (i32.gt_s (local.get $kw1) (local.get $kw0))
            (then
              (local.set $len (i32.mul (i32.sub (local.get $kw1) (local.get $kw0)) (local.get $ci)))
              (local.set $r (i32.const 0))
              (block $rDone (loop $rLoop
                (br_if $rDone (i32.ge_s (local.get $r) (local.get $kh)))
                (local.set $ih (i32.add (i32.sub (i32.mul (local.get $oh) (local.get $sh)) (local.get $top)) (local.get $r)))
                (if (i32.and (i32.ge_s (local.get $ih) (i32.const 0)) (i32.lt_s (local.get $ih) (local.get $inH)))
                  (then
                    ;; t = x + 4 ((b inH + ih) inW + iw0 + kw0) ci, the run's start in x
                    (local.set $t
                      (i32.add
                        (i32.mul
                          (i32.mul
                            (i32.add (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (local.get $ih)) (local.get $inW))
                                              (local.get $iw0))
                                     (local.get $kw0))
                            (local.get $ci))
                          (i32.const 4))
                        (local.get $x)))
;;#if intoX
                    ;; dx's run += P's run at prow + 4 (r kw + kw0) ci
                    (call $addTo (local.get $t)
                      (i32.add (i32.mul (i32.mul (i32.add (i32.mul (local.get $r) (local.get $kw)) (local.get $kw0)) (local.get $ci)) (i32.const 4))
                               (local.get $prow))
                      (local.get $len))
;;#else
                    ;; P's run at prow + 4 (r kw + kw0) ci = x's run
                    (call $copy
                      (i32.add (i32.mul (i32.mul (i32.add (i32.mul (local.get $r) (local.get $kw)) (local.get $kw0)) (local.get $ci)) (i32.const 4))
                               (local.get $prow))
                      (local.get $t)
                      (local.get $len))
;;#end
                    ))
                (local.set $r (i32.add (local.get $r) (i32.const 1)))
                (br $rLoop)))))
          (local.set $prow (i32.add (local.get $prow) (local.get $kb)))
          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
          (br $owLoop)))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $ohLoop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bLoop))))
;;#end
)
