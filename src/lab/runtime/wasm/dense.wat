;; The element-wise halves of a dense layer (dense.ts calls them around its products), one SIMD
;; pass each over the wasm backend's heap. Assembled by wabt at build time (scripts/gen-wasm.mjs
;; -> generated/dense.ts). Arguments are byte offsets into the imported heap and counts of floats;
;; y, dy, dz are row-major [m, n], b and db are [n].
;;   biasAct(y, b, m, n, hasBias, relu)   y = act(y + b) in place, act = max(., 0) or the identity
;;   reluGrad(dz, dy, y, db, m, n)        dz = dy where y > 0, else 0;  db_j = sum_i dz_ij
;; f32x4.max propagates a NaN as tfjs's relu does; db sums in float32, row after row.
(module
  (import "env" "memory" (memory 0))
  (func (export "biasAct")
    (param $y i32) (param $b i32) (param $m i32) (param $n i32) (param $hasBias i32) (param $relu i32)
    (local $row i32) (local $end4 i32) (local $end i32) (local $bp i32) (local $v v128) (local $s f32)
    (block $rows
      (loop $row_loop
        (br_if $rows (i32.ge_u (local.get $row) (local.get $m)))
        ;; this row's end, and the end of its whole groups of four floats
        (local.set $end (i32.add (local.get $y) (i32.shl (local.get $n) (i32.const 2))))
        (local.set $end4 (i32.add (local.get $y) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
        (local.set $bp (local.get $b))
        (block $done4
          (loop $four
            (br_if $done4 (i32.ge_u (local.get $y) (local.get $end4)))
            (local.set $v (v128.load (local.get $y)))
            (if (local.get $hasBias) (then (local.set $v (f32x4.add (local.get $v) (v128.load (local.get $bp))))))
            (if (local.get $relu) (then (local.set $v (f32x4.max (local.get $v) (v128.const f32x4 0 0 0 0)))))
            (v128.store (local.get $y) (local.get $v))
            (local.set $y (i32.add (local.get $y) (i32.const 16)))
            (local.set $bp (i32.add (local.get $bp) (i32.const 16)))
            (br $four)))
        (block $done
          (loop $one
            (br_if $done (i32.ge_u (local.get $y) (local.get $end)))
            (local.set $s (f32.load (local.get $y)))
            (if (local.get $hasBias) (then (local.set $s (f32.add (local.get $s) (f32.load (local.get $bp))))))
            (if (local.get $relu) (then (local.set $s (f32.max (local.get $s) (f32.const 0)))))
            (f32.store (local.get $y) (local.get $s))
            (local.set $y (i32.add (local.get $y) (i32.const 4)))
            (local.set $bp (i32.add (local.get $bp) (i32.const 4)))
            (br $one)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $row_loop))))

  (func (export "reluGrad")
    (param $dz i32) (param $dy i32) (param $y i32) (param $db i32) (param $m i32) (param $n i32)
    (local $row i32) (local $j i32) (local $n4 i32) (local $g v128) (local $gs f32) (local $at i32)
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    ;; db = 0
    (local.set $j (i32.const 0))
    (block $zeroed
      (loop $zero
        (br_if $zeroed (i32.ge_u (local.get $j) (local.get $n)))
        (f32.store (i32.add (local.get $db) (i32.shl (local.get $j) (i32.const 2))) (f32.const 0))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $zero)))
    (block $rows
      (loop $row_loop
        (br_if $rows (i32.ge_u (local.get $row) (local.get $m)))
        (local.set $j (i32.const 0))
        (block $done4
          (loop $four
            (br_if $done4 (i32.ge_u (local.get $j) (local.get $n4)))
            ;; g = dy & (y > 0): the comparison's all-ones lanes keep dy, the others give +0
            (local.set $g (v128.and (v128.load (local.get $dy))
                                    (f32x4.gt (v128.load (local.get $y)) (v128.const f32x4 0 0 0 0))))
            (v128.store (local.get $dz) (local.get $g))
            (local.set $at (i32.add (local.get $db) (i32.shl (local.get $j) (i32.const 2))))
            (v128.store (local.get $at) (f32x4.add (v128.load (local.get $at)) (local.get $g)))
            (local.set $dz (i32.add (local.get $dz) (i32.const 16)))
            (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
            (local.set $y (i32.add (local.get $y) (i32.const 16)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $four)))
        (block $done
          (loop $one
            (br_if $done (i32.ge_u (local.get $j) (local.get $n)))
            (local.set $gs (select (f32.load (local.get $dy)) (f32.const 0)
                                   (f32.gt (f32.load (local.get $y)) (f32.const 0))))
            (f32.store (local.get $dz) (local.get $gs))
            (local.set $at (i32.add (local.get $db) (i32.shl (local.get $j) (i32.const 2))))
            (f32.store (local.get $at) (f32.add (f32.load (local.get $at)) (local.get $gs)))
            (local.set $dz (i32.add (local.get $dz) (i32.const 4)))
            (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
            (local.set $y (i32.add (local.get $y) (i32.const 4)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $one)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $row_loop)))))
