"""MLIR text fragments that tests and benchmarks splice into the epilogue
regions they write."""


def gelu_tanh(x, result):
    """Ops computing `result = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715
    x^3)))` (f32) from the SSA value `x`; internal values are prefixed with
    the result's name so several can share a region."""
    p = result.lstrip("%")
    return f"""
      %{p}_half = arith.constant 0.5 : f32
      %{p}_one = arith.constant 1.0 : f32
      %{p}_k = arith.constant 0.7978845608 : f32
      %{p}_c = arith.constant 0.044715 : f32
      %{p}_x2 = arith.mulf {x}, {x} : f32
      %{p}_x3 = arith.mulf %{p}_x2, {x} : f32
      %{p}_t0 = arith.mulf %{p}_c, %{p}_x3 : f32
      %{p}_t1 = arith.addf {x}, %{p}_t0 : f32
      %{p}_t2 = arith.mulf %{p}_k, %{p}_t1 : f32
      %{p}_t3 = math.tanh %{p}_t2 : f32
      %{p}_t4 = arith.addf %{p}_one, %{p}_t3 : f32
      %{p}_t5 = arith.mulf {x}, %{p}_t4 : f32
      {result} = arith.mulf %{p}_half, %{p}_t5 : f32"""
