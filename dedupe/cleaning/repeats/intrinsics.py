"""Vector steps for `key_text.build_keys`, written in LLVM IR because numba's own loops for them work
eight bytes at a time: a mask of the bytes in a range, and a lower-casing copy, over 64 bytes at once.

Without numba they are plain Python loops with the same results (the kernel is not called then; they
keep its module importable).
"""

from __future__ import annotations

from dedupe.compiled import HAVE_NUMBA, intrinsic, numba_types, overload

if HAVE_NUMBA:
    from llvmlite import ir

    _V64 = ir.VectorType(ir.IntType(8), 64)

    def _load64(context, builder, array_type, array, index):  # type: ignore[no-untyped-def]
        """The 64 bytes at ``array[index:]`` as one <64 x i8> vector (an unaligned load)."""
        data = context.make_array(array_type)(context, builder, array).data
        return builder.load(builder.bitcast(builder.gep(data, [index]), _V64.as_pointer()), align=1)

    def _splat(builder, value):  # type: ignore[no-untyped-def]
        """<64 x i8> of the low byte of ``value`` (an LLVM value, or an int)."""
        if isinstance(value, int):
            return ir.Constant(_V64, [ir.Constant(ir.IntType(8), value)] * 64)
        undef = ir.Constant(_V64, ir.Undefined)
        one = builder.insert_element(undef, builder.trunc(value, ir.IntType(8)), ir.Constant(ir.IntType(32), 0))
        return builder.shuffle_vector(one, undef, ir.Constant(ir.VectorType(ir.IntType(32), 64), [0] * 64))

    @intrinsic
    def byte_mask(typingctx, array, index, lo, hi):  # type: ignore[no-untyped-def]
        """Bit k set where ``lo <= array[index + k] <= hi``, k < 64: one vector compare and a bit cast
        (numba's own loop for this compares eight bytes at a time).  0 for arrays of wider units."""

        def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
            if signature.args[0].dtype != numba_types.uint8:
                return ir.Constant(ir.IntType(64), 0)
            array, index, lo, hi = args
            vector = _load64(context, builder, signature.args[0], array, index)
            lo_hi = builder.sub(hi, lo)
            inside = builder.icmp_unsigned("<=", builder.sub(vector, _splat(builder, lo)), _splat(builder, lo_hi))
            return builder.bitcast(inside, ir.IntType(64))

        return numba_types.uint64(array, index, lo, hi), codegen

    @intrinsic
    def copy_lower(typingctx, source, index, target, at):  # type: ignore[no-untyped-def]
        """``target[at:at + 64]`` = ``source[index:index + 64]`` with "A".."Z" lower-cased (widened if the
        target holds code points): a vector load, add and store."""

        def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
            source_type, _, target_type, _ = signature.args
            if source_type.dtype != numba_types.uint8:
                return context.get_dummy_value()
            source, index, target, at = args
            vector = _load64(context, builder, source_type, source, index)
            upper = builder.icmp_unsigned("<=", builder.sub(vector, _splat(builder, 65)), _splat(builder, 25))
            lower = builder.add(vector, builder.select(upper, _splat(builder, 32), _splat(builder, 0)))
            width = target_type.dtype.bitwidth
            if width != 8:
                lower = builder.zext(lower, ir.VectorType(ir.IntType(width), 64))
            data = context.make_array(target_type)(context, builder, target).data
            builder.store(lower, builder.bitcast(builder.gep(data, [at]), lower.type.as_pointer()), align=1)
            return context.get_dummy_value()

        return numba_types.none(source, index, target, at), codegen

    def bytewise(units):  # type: ignore[no-untyped-def]
        """True for UTF-8 bytes (a bytes object or a uint8 array), False for code points."""

    @overload(bytewise)
    def _bytewise_typed(units):  # type: ignore[no-untyped-def]
        utf8 = units.dtype == numba_types.uint8  # known when compiling: the branches on it fold away
        return lambda units: utf8

else:  # pragma: no cover - the kernel is not called without numba

    def bytewise(units):  # type: ignore[no-untyped-def]
        return isinstance(units, bytes) or units.itemsize == 1

    def byte_mask(array, index, lo, hi):  # type: ignore[no-untyped-def]
        return sum(1 << k for k in range(64) if lo <= array[index + k] <= hi)

    def copy_lower(source, index, target, at):  # type: ignore[no-untyped-def]
        for k in range(64):
            c = source[index + k]
            target[at + k] = c + 32 if 65 <= c <= 90 else c
