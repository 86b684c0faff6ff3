#!/usr/bin/env python3
"""Regenerates the NumPy golden fixtures: tests/fixtures/numpy_cases.json.

Each case is a `seedbridge run` script, run here through the REAL NumPy (scripts/pyref.py) and
stored with what it printed, the exact bytes of every recorded value, or the exception it raised.
tests/numpy_fixtures.rs runs every script through seedbridge and compares bit for bit.

    .venv/bin/python scripts/make_fixtures.py          # rewrite the fixture file
    .venv/bin/python scripts/make_fixtures.py --check  # only report differences
    .venv/bin/python scripts/make_fixtures.py --torch  # torch goldens, both CPU capabilities
"""

import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pyref import ScriptError, encode_array, run_reference  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "numpy_cases.json")

SEEDS = [0, 1, 42, 12345, 2**32 - 1]
INT_DTYPES = ["np.int8", "np.int16", "np.int32", "np.int64",
              "np.uint8", "np.uint16", "np.uint32", "np.uint64"]
BITGENS = ["PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64"]


def legacy_cases():
    c = {}
    for s in SEEDS:
        p = f"import numpy as np\nnp.random.seed({s})\n"
        c[f"legacy_rand_{s}"] = p + "np.random.rand(7)\nnp.random.rand(2, 3)\nnp.random.rand()\nprint(np.random.rand(5))\n"
        c[f"legacy_randn_{s}"] = p + "np.random.randn(9)\nnp.random.randn()\nnp.random.randn(3, 2)\nprint(np.random.randn(4))\n"
        c[f"legacy_gauss_cache_{s}"] = p + "np.random.randn(3)\nnp.random.rand(2)\nnp.random.standard_normal()\nnp.random.normal(2.0, 3.0, 5)\nnp.random.normal(size=(2, 2))\n"
        c[f"legacy_sample_aliases_{s}"] = p + "np.random.random_sample(3)\nnp.random.random((2, 2))\nnp.random.ranf(2)\nnp.random.sample(2)\nnp.random.random_sample()\n"
        c[f"legacy_uniform_{s}"] = p + "np.random.uniform(-2, 5, 6)\nnp.random.uniform()\nnp.random.uniform(3, 1, 4)\nnp.random.uniform(low=1.5, high=2.5, size=(2, 3))\n"
        c[f"legacy_exp_{s}"] = p + "np.random.standard_exponential(5)\nnp.random.exponential(2.5, 4)\nnp.random.exponential()\nnp.random.standard_exponential()\n"
        c[f"legacy_randint_{s}"] = p + ("np.random.randint(10, size=12)\nnp.random.randint(-5, 5, 8)\nnp.random.randint(0, 2**40, 3)\n"
                                         "np.random.randint(5)\nnp.random.randint(0, 2**32, 3, dtype=np.uint32)\nnp.random.randint(-2**63, 2**63 - 1, 3)\n"
                                         "np.random.randint(0, 2**64, 2, dtype=np.uint64)\nnp.random.randint(3, 4, 5)\n")
        for dt in INT_DTYPES:
            lo, hi = ("0", "100") if "uint" in dt else ("-50", "50")
            c[f"legacy_randint_{dt[3:]}_{s}"] = p + (f"np.random.randint({lo}, {hi}, 37, dtype={dt})\nnp.random.randint({lo}, {hi}, dtype={dt})\n"
                                                     f"np.random.randint(0, 2, 5, dtype={dt})\nnp.random.randint(0, 1, 3, dtype={dt})\n")
        c[f"legacy_randint_full_{s}"] = p + "np.random.randint(0, 256, 20, dtype=np.uint8)\nnp.random.randint(-128, 128, 7, dtype=np.int8)\nnp.random.randint(0, 65536, 9, dtype=np.uint16)\nnp.random.randint(-2**31, 2**31, 5, dtype=np.int32)\n"
        c[f"legacy_randint_bool_{s}"] = p + "np.random.randint(0, 2, 40, dtype=bool)\nnp.random.randint(2, dtype=np.bool_)\nnp.random.randint(0, 1, 3, dtype=bool)\nnp.random.randint(0, 2, (3, 3), dtype=bool)\n"
        c[f"legacy_random_integers_{s}"] = p + "np.random.random_integers(5, size=6)\nnp.random.random_integers(-3, 3, 4)\n"
        c[f"legacy_permutation_{s}"] = p + "np.random.permutation(10)\nnp.random.permutation([1.5, 2.5, 3.5, 4.5])\nnp.random.permutation(np.arange(12).reshape(4, 3))\nnp.random.permutation(1)\n"
        c[f"legacy_shuffle_{s}"] = p + "a = np.arange(10)\nnp.random.shuffle(a)\na\nb = np.arange(12).reshape(4, 3)\nnp.random.shuffle(b)\nb\nl = [1, 2, 3, 4, 5]\nnp.random.shuffle(l)\nprint(l)\n"
        c[f"legacy_choice_{s}"] = p + ("np.random.choice(5, 3)\nnp.random.choice(10, 4, replace=False)\nnp.random.choice(5, 6, p=[0.1, 0.2, 0.3, 0.2, 0.2])\n"
                                        "np.random.choice(6, 3, replace=False, p=[0.1, 0.1, 0.1, 0.1, 0.1, 0.5])\nnp.random.choice([1.5, 2.5, 9.0], 4)\nnp.random.choice(7)\n"
                                        "np.random.choice(5, (2, 2))\n")
        c[f"legacy_bytes_{s}"] = p + "print(np.random.bytes(7))\nprint(np.random.bytes(1))\nnp.random.rand(2)\n"
        c[f"legacy_randomstate_{s}"] = (f"import numpy as np\nrs = np.random.RandomState({s})\nrs.rand(4)\nrs.randn(3)\nrs.randint(0, 100, 5)\n"
                                         "rs.choice(8, 3, replace=False)\nrs.standard_exponential(2)\nrs.uniform(0, 1, 3)\n")
    c["legacy_seed_array"] = "import numpy as np\nnp.random.seed([1, 2, 3])\nnp.random.rand(3)\nnp.random.seed([0])\nnp.random.rand(2)\nnp.random.seed((5, 2**32 - 1, 7))\nnp.random.randn(3)\nnp.random.seed(np.array([7]))\nnp.random.rand(2)\n"
    c["legacy_seed_bool"] = "import numpy as np\nnp.random.seed(True)\nnp.random.rand(2)\n"
    c["legacy_state_roundtrip"] = ("import numpy as np\nnp.random.seed(3)\nnp.random.randn(1)\nst = np.random.get_state()\nnp.random.rand(3)\nnp.random.randn(3)\n"
                                   "np.random.set_state(st)\nnp.random.rand(3)\nnp.random.randn(3)\nst2 = np.random.get_state(legacy=False)\nnp.random.rand(2)\nnp.random.set_state(st2)\nnp.random.rand(2)\n")
    c["legacy_state_fields"] = "import numpy as np\nnp.random.seed(9)\nnp.random.randn(1)\nst = np.random.get_state()\nprint(st[0], st[2], st[3], st[4])\nst[1]\nst[1][:5]\n"
    c["legacy_randomstate_instances"] = "import numpy as np\na = np.random.RandomState(1)\nb = np.random.RandomState(1)\na.rand(3)\nb.rand(3)\na.randn(2)\nb.randint(0, 5, 3)\n"
    c["legacy_print"] = "import numpy as np\nnp.random.seed(42)\nprint(np.random.rand(5))\nprint(np.random.randn(2, 3))\nprint(np.random.randint(0, 100, 10))\nprint(np.random.rand())\nprint(np.random.randint(0, 2, 6, dtype=bool))\n"
    c["legacy_big"] = "import numpy as np\nnp.random.seed(7)\nnp.random.rand(1001)[-3:]\nnp.random.randn(100, 30)[99]\nnp.random.randint(0, 1000, 5000)[4990:]\nnp.random.rand(2)\n"
    return c


def generator_cases():
    c = {}
    for s in [0, 1, 42, 2**64 + 5, 2**100]:
        p = f"import numpy as np\nrng = np.random.default_rng({s})\n"
        c[f"gen_random_{s}"] = p + "rng.random(7)\nrng.random()\nrng.random((2, 3), dtype=np.float32)\nrng.random(3)\nrng.random(5, np.float32)\nrng.random(dtype=np.float32)\n"
        c[f"gen_normal_{s}"] = p + "rng.standard_normal(10)\nrng.standard_normal()\nrng.standard_normal(7, dtype=np.float32)\nrng.normal(1, 2, 4)\nrng.normal()\nrng.normal(size=(2, 2), loc=-1, scale=0.5)\n"
        c[f"gen_exponential_{s}"] = p + "rng.standard_exponential(10)\nrng.standard_exponential(5, dtype=np.float32)\nrng.standard_exponential(3, method='inv')\nrng.standard_exponential(3, dtype=np.float32, method='inv')\nrng.exponential(3.0, 4)\n"
        c[f"gen_uniform_{s}"] = p + "rng.uniform(-1, 1, 5)\nrng.uniform()\nrng.uniform(2, 2, 2)\nrng.uniform(low=0, high=10, size=3)\n"
        c[f"gen_integers_{s}"] = p + ("rng.integers(10, size=12)\nrng.integers(-5, 5, 8)\nrng.integers(0, 2**40, 3)\nrng.integers(5)\nrng.integers(0, 10, 5, endpoint=True)\n"
                                      "rng.integers(0, 2**32, 3, dtype=np.uint32)\nrng.integers(-2**63, 2**63, 3, dtype=np.int64)\nrng.integers(0, 2**64, 2, dtype=np.uint64)\nrng.integers(3, 4, 3)\nrng.integers(0, 2**32 - 1, 3, endpoint=True)\n")
        for dt in INT_DTYPES:
            lo, hi = ("0", "100") if "uint" in dt else ("-50", "50")
            c[f"gen_integers_{dt[3:]}_{s}"] = p + (f"rng.integers({lo}, {hi}, 37, dtype={dt})\nrng.integers({lo}, {hi}, dtype={dt})\nrng.random(dtype=np.float32)\n"
                                                   f"rng.integers({lo}, {hi}, 5, dtype={dt}, endpoint=True)\n")
        c[f"gen_integers_bool_{s}"] = p + "rng.integers(0, 2, 40, dtype=bool)\nrng.integers(0, 1, 5, dtype=bool, endpoint=True)\nrng.integers(2, dtype=np.bool_)\n"
        c[f"gen_permutation_{s}"] = p + "rng.permutation(10)\nrng.permutation([1.5, 2.5, 3.5])\nrng.permutation(np.arange(12).reshape(3, 4))\nrng.permutation(np.arange(12).reshape(3, 4), axis=1)\n"
        c[f"gen_shuffle_{s}"] = p + "a = np.arange(10)\nrng.shuffle(a)\na\nb = np.arange(12).reshape(4, 3)\nrng.shuffle(b)\nb\nrng.shuffle(b, axis=1)\nb\nl = [1, 2, 3, 4]\nrng.shuffle(l)\nprint(l)\n"
        c[f"gen_choice_{s}"] = p + ("rng.choice(5, 3)\nrng.choice(10, 4, replace=False)\nrng.choice(10, 4, replace=False, shuffle=False)\nrng.choice(5, 6, p=[0.1, 0.2, 0.3, 0.2, 0.2])\n"
                                    "rng.choice(6, 3, replace=False, p=[0.1, 0.1, 0.1, 0.1, 0.1, 0.5])\nrng.choice([1.5, 2.5, 9.0], 4)\nrng.choice(7)\nrng.choice(20000, 500, replace=False)[:10]\n"
                                    "rng.choice(20000, 300, replace=False, shuffle=False)[-5:]\nrng.choice(100, 100, replace=False)\n")
        c[f"gen_bytes_{s}"] = p + "print(rng.bytes(7))\nrng.random(dtype=np.float32)\nprint(rng.bytes(5))\n"
    for bg in BITGENS:
        for s in [0, 7, 2**70 + 3]:
            p = f"import numpy as np\nrng = np.random.Generator(np.random.{bg}({s}))\n"
            c[f"bg_{bg}_{s}"] = p + ("rng.random(5)\nrng.random(3, dtype=np.float32)\nrng.standard_normal(5)\nrng.standard_normal(5, dtype=np.float32)\n"
                                     "rng.integers(0, 1000, 6)\nrng.integers(0, 2**40, 3)\nrng.integers(0, 100, 5, dtype=np.uint8)\nrng.standard_exponential(4)\n"
                                     "rng.permutation(8)\nrng.choice(30, 5, replace=False)\nrng.integers(0, 2, 9, dtype=bool)\n")
            c[f"bg_raw_{bg}_{s}"] = f"import numpy as np\nbg = np.random.{bg}({s})\nbg.random_raw(6)\nbg.random_raw()\n"
    c["gen_spawn"] = "import numpy as np\nrng = np.random.default_rng(5)\na, b = rng.spawn(2)\na.random(3)\nb.random(3)\nc = rng.spawn(1)[0]\nc.random(2)\n"
    c["gen_seedseq"] = ("import numpy as np\nss = np.random.SeedSequence(1234)\nrng = np.random.default_rng(ss)\nrng.random(3)\nkids = ss.spawn(3)\nnp.random.default_rng(kids[2]).random(2)\n"
                        "ss.generate_state(4)\nss.generate_state(2, np.uint64)\nnp.random.SeedSequence([1, 2**40]).generate_state(3)\nnp.random.SeedSequence(7, spawn_key=(3, 1)).generate_state(2)\n")
    c["gen_list_seed"] = "import numpy as np\nnp.random.default_rng([1, 2, 3]).random(3)\nnp.random.default_rng([]).random(2)\nnp.random.default_rng([2**70, 5]).integers(0, 9, 4)\n"
    c["gen_state_roundtrip"] = ("import numpy as np\nrng = np.random.default_rng(11)\nrng.random(dtype=np.float32)\nst = rng.bit_generator.state\nrng.random(3)\nrng.random(dtype=np.float32)\n"
                                "rng.bit_generator.state = st\nrng.random(3)\nrng.random(dtype=np.float32)\n")
    for bg in BITGENS:
        c[f"gen_state_{bg}"] = (f"import numpy as np\nbg = np.random.{bg}(3)\nrng = np.random.Generator(bg)\nrng.integers(0, 10, 3, dtype=np.uint32)\nst = bg.state\nrng.random(4)\n"
                                "bg.state = st\nrng.random(4)\n")
    c["gen_advance_pcg"] = "import numpy as np\nbg = np.random.PCG64(3)\nbg.advance(1000)\nnp.random.Generator(bg).random(3)\nbg2 = np.random.PCG64DXSM(3)\nbg2.advance(2**100 + 17)\nbg2.random_raw(2)\nbg3 = np.random.PCG64(3)\nbg3.advance(-1)\nbg3.random_raw(2)\n"
    c["gen_advance_philox"] = "import numpy as np\nbg = np.random.Philox(9)\nbg.random_raw()\nbg.advance(12345)\nbg.random_raw(5)\n"
    c["gen_jumped"] = ("import numpy as np\nnp.random.Generator(np.random.PCG64(1).jumped()).random(3)\nnp.random.Generator(np.random.PCG64DXSM(1).jumped(3)).random(3)\n"
                       "np.random.Generator(np.random.Philox(1).jumped()).random(3)\nnp.random.Generator(np.random.MT19937(1).jumped()).random(3)\nnp.random.MT19937(1).jumped(2).random_raw(3)\n")
    c["gen_mt_jump_legacy"] = "import numpy as np\nrs = np.random.RandomState(5)\nrs.rand(3)\nbg = np.random.MT19937(5)\nbg.random_raw(100)[-2:]\nbg.jumped().random_raw(3)\n"
    c["gen_philox_key"] = "import numpy as np\nbg = np.random.Philox(key=2**100 + 3)\nbg.random_raw(3)\nbg2 = np.random.Philox(key=5, counter=2**64 + 1)\nbg2.random_raw(3)\n"
    c["gen_print"] = "import numpy as np\nrng = np.random.default_rng(42)\nprint(rng.random(4))\nprint(rng.standard_normal((2, 3)))\nprint(rng.integers(0, 10, 8))\nprint(rng.random())\nprint(rng.random(3, dtype=np.float32))\nprint(rng.integers(5))\n"
    c["gen_big"] = "import numpy as np\nrng = np.random.default_rng(3)\nrng.standard_normal(100000)[-4:]\nrng.standard_normal(100000, dtype=np.float32)[-4:]\nrng.standard_exponential(50000)[-3:]\nrng.standard_exponential(50000, dtype=np.float32)[-3:]\nrng.random(2)\n"
    c["mixed_np_default_rng_and_legacy"] = "import numpy as np\nnp.random.seed(1)\nrng = np.random.default_rng(1)\nnp.random.rand(2)\nrng.random(2)\nnp.random.rand(2)\n"
    c["arith_numpy"] = ("import numpy as np\nnp.random.seed(3)\nnp.random.randn(5) ** 2\nnp.random.rand(2, 3).astype(np.float32) * 3 - 1\n"
                        "np.random.randint(0, 100, 6) * 2 + 1\nnp.random.rand(3) / 7\nnp.random.default_rng(1).random((2, 3)) + np.arange(3)\n"
                        "-np.random.rand(2)\nx = np.random.rand(4)\nprint(x * 10, x - 0.5)\nnp.random.randint(0, 100, 6) * 0.1\nnp.random.randint(0, 100, 4) / 7\n"
                        "np.random.randint(1, 9, 3) / np.random.randint(1, 9, 3)\nnp.random.randint(0, 10, 3, dtype=np.int32) * 1.5\nnp.random.randint(0, 10, 3, dtype=np.uint8) / 3\n"
                        "np.random.rand(3).astype(np.float32) + np.arange(3, dtype=np.int16)\nnp.random.rand(3).astype(np.float32) + np.arange(3)\n")
    c["motivating_numpy"] = "import numpy as np\nnp.random.seed(42);  print(np.random.rand(5))\n"
    return c


def error_cases():
    e = {
        "err_seed_negative": "import numpy as np\nnp.random.seed(-1)\n",
        "err_seed_big": "import numpy as np\nnp.random.seed(2**32)\n",
        "err_seed_float": "import numpy as np\nnp.random.seed(1.5)\n",
        "err_seed_empty": "import numpy as np\nnp.random.seed([])\n",
        "err_seed_2d": "import numpy as np\nnp.random.seed([[1, 2]])\n",
        "err_seed_str": "import numpy as np\nnp.random.seed('5')\n",
        "err_rand_negative": "import numpy as np\nnp.random.rand(-1)\n",
        "err_size_negative": "import numpy as np\nnp.random.random_sample(-3)\n",
        "err_randint_low_high": "import numpy as np\nnp.random.randint(5, 5)\n",
        "err_randint_high0": "import numpy as np\nnp.random.randint(0)\n",
        "err_randint_bounds": "import numpy as np\nnp.random.randint(0, 300, dtype=np.uint8)\n",
        "err_randint_bad_dtype": "import numpy as np\nnp.random.randint(0, 3, dtype=np.float64)\n",
        "err_choice_p_sum": "import numpy as np\nnp.random.choice(3, 2, p=[0.5, 0.5, 0.5])\n",
        "err_choice_too_many": "import numpy as np\nnp.random.choice(3, 5, replace=False)\n",
        "err_choice_p_negative": "import numpy as np\nnp.random.choice(3, 2, p=[1.5, -0.5, 0.0])\n",
        "err_choice_empty": "import numpy as np\nnp.random.choice(0, 2)\n",
        "err_normal_scale": "import numpy as np\nnp.random.normal(0, -1, 3)\n",
        "err_gen_low_high": "import numpy as np\nnp.random.default_rng(0).integers(5, 2)\n",
        "err_gen_uniform_neg": "import numpy as np\nnp.random.default_rng(0).uniform(2, 1)\n",
        "err_gen_seed_neg": "import numpy as np\nnp.random.default_rng(-1)\n",
        "err_gen_seed_float": "import numpy as np\nnp.random.default_rng(1.5)\n",
        "err_gen_choice_too_many": "import numpy as np\nnp.random.default_rng(0).choice(3, 5, replace=False)\n",
        "err_gen_random_dtype": "import numpy as np\nnp.random.default_rng(0).random(3, dtype=np.int32)\n",
        "err_gen_integers_dtype": "import numpy as np\nnp.random.default_rng(0).integers(0, 3, dtype=np.float32)\n",
        "err_gen_size_negative": "import numpy as np\nnp.random.default_rng(0).random(-2)\n",
        "err_partial_then_fail": "import numpy as np\nnp.random.seed(1)\nnp.random.rand(2)\nnp.random.randint(3, 1)\n",
        "err_ragged_bound": "import numpy as np\nnp.random.seed(0)\nnp.random.randint(0, [1, [2]], 5)\n",
        "err_size_bool": "import numpy as np\nnp.random.seed(0)\nnp.random.randint(0, 100, True)\n",
        "err_size_bool_in_tuple": "import numpy as np\nnp.random.default_rng(0).random((3, False))\n",
        "err_rand_bool_dim": "import numpy as np\nnp.random.seed(0)\nnp.random.rand(True)\n",
        "err_size_ragged": "import numpy as np\nnp.random.default_rng(0).integers(0, 5, [1, [2]])\n",
        "err_ragged_param": "import numpy as np\nnp.random.seed(0)\nnp.random.normal([[0.0, 1.0], [2.0]], 1.0)\n",
    }
    return e


TORCH_DTYPES = ["torch.float32", "torch.float64", "torch.float16", "torch.bfloat16"]


def torch_cases():
    c = {}
    for s in [0, 42, 2**32 + 7, -5]:
        p = f"import torch\ntorch.manual_seed({s})\n"
        for dt in TORCH_DTYPES:
            short = dt.split(".")[1]
            c[f"torch_rand_{short}_{s}"] = p + f"torch.rand(5, dtype={dt})\ntorch.rand(16, dtype={dt})\ntorch.rand(17, dtype={dt})\ntorch.rand(3, 11, dtype={dt})\nprint(torch.rand(4, dtype={dt}))\n"
            c[f"torch_randn_{short}_{s}"] = p + f"torch.randn(5, dtype={dt})\ntorch.randn(16, dtype={dt})\ntorch.randn(33, dtype={dt})\ntorch.randn(2, 9, dtype={dt})\nprint(torch.randn(3, dtype={dt}))\n"
            c[f"torch_inplace_{short}_{s}"] = p + (f"torch.empty(20, dtype={dt}).uniform_(-2, 3)\ntorch.empty(7, dtype={dt}).normal_(1, 2)\ntorch.empty(18, dtype={dt}).exponential_(1.5)\n"
                                                   f"torch.empty(5, dtype={dt}).cauchy_()\ntorch.empty(19, dtype={dt}).log_normal_()\ntorch.empty(6, dtype={dt}).geometric_(0.3)\ntorch.zeros(9, dtype={dt}).bernoulli_(0.4)\n")
        c[f"torch_randint_{s}"] = p + ("torch.randint(0, 10, (12,))\ntorch.randint(5, (3, 3))\ntorch.randint(-100, 2**40, (5,))\ntorch.randint(0, 256, (20,), dtype=torch.uint8)\n"
                                        "torch.randint(0, 2, (9,), dtype=torch.bool)\ntorch.randint(-5, 5, (17,), dtype=torch.int32)\ntorch.randint(0, 2**30, (4,))\nprint(torch.randint(0, 100, (6,)))\n")
        c[f"torch_misc_{s}"] = p + ("torch.randperm(10)\ntorch.randperm(30)\ntorch.normal(2.0, 3.0, size=(5,))\ntorch.normal(torch.zeros(4), 1.0)\ntorch.bernoulli(torch.full((6,), 0.3))\n"
                                     "torch.multinomial(torch.tensor([0.1, 0.2, 0.7]), 5, replacement=True)\ntorch.multinomial(torch.tensor([0.1, 0.2, 0.3, 0.4]), 3)\n"
                                     "torch.nn.functional.dropout(torch.ones(12), 0.5, training=True)\ntorch.empty(8, dtype=torch.int64).random_(0, 7)\ntorch.empty(5).random_(10)\n")
        c[f"torch_like_{s}"] = p + "x = torch.zeros(2, 3)\ntorch.rand_like(x)\ntorch.randn_like(x, dtype=torch.float64)\ntorch.randint_like(x, 0, 5)\n"
    c["torch_generator_objects"] = ("import torch\ng = torch.Generator().manual_seed(7)\nh = torch.Generator()\nh.manual_seed(7)\ntorch.rand(3, generator=g)\ntorch.rand(3, generator=h)\n"
                                    "g.initial_seed()\ntorch.randn(20, generator=g)\ntorch.empty(4).normal_(generator=h)\ntorch.randint(0, 9, (4,), generator=g)\n")
    c["torch_state_roundtrip"] = ("import torch\ntorch.manual_seed(3)\ntorch.randn(3)\ns = torch.get_rng_state()\ntorch.randn(5)\ntorch.rand(2)\ntorch.set_rng_state(s)\ntorch.randn(5)\ntorch.rand(2)\n"
                                  "torch.initial_seed()\n")
    c["torch_normal_cache_sequence"] = "import torch\ntorch.manual_seed(11)\ntorch.randn(1)\ntorch.randn(1, dtype=torch.float64)\ntorch.randn(3)\ntorch.normal(0.0, 1.0, size=(1,))\ntorch.randn(16)\n"
    c["torch_print_shapes"] = ("import torch\ntorch.manual_seed(1)\nprint(torch.rand(2, 3, 4))\nprint(torch.randn(3, dtype=torch.float16))\nprint(torch.rand(1))\nprint(torch.randint(0, 3, (2, 2), dtype=torch.int32))\n"
                               "print(torch.rand(0))\nprint(torch.randn(2000)[:3])\n")
    c["torch_big"] = "import torch\ntorch.manual_seed(5)\ntorch.randn(100003)[-5:]\ntorch.rand(100003, dtype=torch.float64)[-3:]\ntorch.randn(3)\n"
    c["arith_torch"] = ("import torch\ntorch.manual_seed(3)\ntorch.randn(5) ** 2\ntorch.rand(2, 3, dtype=torch.float64) * 3 - 1\n"
                        "torch.randint(0, 100, (6,)) * 2 + 1\ntorch.rand(3) / 7 + torch.rand(3)\n-torch.randn(2)\nprint(torch.rand(3) * 2 - 1)\n"
                        "torch.randint(0, 100, (6,)) * 0.1\ntorch.randint(0, 100, (4,)) / 7\ntorch.randint(1, 9, (3,)) / torch.randint(1, 9, (3,))\n"
                        "torch.randint(0, 10, (3,), dtype=torch.int32) * 1.5\ntorch.rand(3) + torch.randint(0, 5, (3,))\n")
    c["motivating_both"] = "import numpy as np, torch\nnp.random.seed(42);  print(np.random.rand(5))\ntorch.manual_seed(42); print(torch.rand(5))\n"
    c["cross_library_words"] = "import numpy as np, torch\nnp.random.seed(7)\nnp.random.randint(0, 2**32, 10, dtype=np.uint32)\ntorch.manual_seed(7)\ntorch.rand(10)\n"
    # Python's random module and the seed-everything helpers (real lightning / transformers /
    # accelerate when installed; the generator skips them otherwise).
    c["pyrandom_basics"] = ("import random\nrandom.seed(42)\nrandom.random()\nrandom.randint(1, 6)\nrandom.uniform(2, 3)\nrandom.gauss(0, 1)\nrandom.gauss(0, 1)\n"
                            "l = [1, 2, 3, 4, 5, 6]\nrandom.shuffle(l)\nprint(l)\nprint(random.sample(range(100), 5), random.choice('abc'), random.choices([1, 2, 3], k=4))\n"
                            "random.getrandbits(70)\nrandom.randrange(0, 100, 7)\nr = random.Random('seed')\nr.random()\nst = random.getstate()\nrandom.random()\nrandom.setstate(st)\nrandom.random()\n")
    c["pyrandom_big_seed"] = "import random\nrandom.seed(2**100 + 17)\nprint(random.random(), random.getrandbits(8))\nrandom.seed(-7)\nrandom.expovariate(2.0)\nrandom.normalvariate(1, 2)\n"
    for mod, call in [("lightning", "lightning.seed_everything(7)"), ("pytorch_lightning", "pytorch_lightning.seed_everything(7)"),
                      ("transformers", "transformers.set_seed(7)"), ("accelerate.utils", "accelerate.utils.set_seed(7)")]:
        c[f"seed_helper_{mod}"] = (f"import random\nimport numpy as np\nimport torch\nimport {mod}\n{call}\nrandom.random()\nnp.random.rand(3)\ntorch.rand(3)\n"
                                   "torch.randn(2)\nrandom.randint(0, 10)\n")
    c["seed_helper_from_import"] = ("import numpy as np, torch, random\nfrom lightning.pytorch import seed_everything\ns = seed_everything(123, workers=True)\nprint(s)\n"
                                    "print(np.random.randint(0, 10, 5), torch.randint(0, 10, (5,)), random.random())\n")
    c["err_seed_helper_bounds"] = "import lightning\nlightning.seed_everything(2**32)\n"
    c["err_torch_randint_range"] = "import torch\ntorch.manual_seed(0)\ntorch.randint(5, 2, (3,))\n"
    c["err_torch_negative_size"] = "import torch\ntorch.manual_seed(0)\ntorch.rand(-1)\n"
    c["err_torch_bernoulli_p"] = "import torch\ntorch.manual_seed(0)\ntorch.empty(3).bernoulli_(1.5)\n"
    c["err_torch_uniform_from_to"] = "import torch\ntorch.manual_seed(0)\ntorch.empty(3).uniform_(2, 1)\n"
    c["err_torch_state_size"] = "import torch\ntorch.set_rng_state(torch.zeros(10, dtype=torch.uint8))\n"
    c["err_torch_uniform_none"] = "import torch\ntorch.manual_seed(0)\ntorch.empty(3).uniform_(-2, None)\n"
    c["err_torch_uniform_kw_none"] = "import torch\ntorch.manual_seed(0)\ntorch.empty(3).uniform_(to=None)\n"
    c["err_torch_bernoulli_none"] = "import torch\ntorch.manual_seed(0)\ntorch.empty(3).bernoulli_(None)\n"
    c["err_torch_randn_bool_size"] = "import torch\ntorch.manual_seed(0)\ntorch.randn(True)\n"
    c["err_torch_rand_bool_in_size"] = "import torch\ntorch.manual_seed(0)\ntorch.rand((True, 2))\n"
    c["torch_rand_bool_vararg"] = "import torch\ntorch.manual_seed(0)\nprint(torch.rand(2, True))\n"
    c["err_pyrandom_choices_huge_k"] = "import random\nrandom.seed(0)\nrandom.choices([1, 2], k=2**70)\n"
    c["err_torch_random_from_to"] = "import torch\ntorch.manual_seed(0)\ntorch.empty(3, dtype=torch.int64).random_(5, 3)\n"
    return c


def run_cases(allc):
    cases = []
    for name, script in allc.items():
        case = {"name": name, "script": script}
        try:
            stdout, values = run_reference(script)
            case["stdout"] = stdout
            case["values"] = [encode_array(v) for v in values]
            case["error"] = None
        except ScriptError as e:
            case["stdout"] = e.stdout
            case["values"] = [encode_array(v) for v in e.values]
            case["error"] = {"kind": e.kind, "message": e.message, "line": e.line}
        cases.append(case)
    return cases


def build_torch():
    """Runs in a child process whose ATEN_CPU_CAPABILITY is already set."""
    import torch
    return {"torch_version": torch.__version__, "capability": torch.backends.cpu.get_cpu_capability(),
            "cases": run_cases(torch_cases())}


def build():
    cases = []
    allc = {}
    allc.update(legacy_cases())
    allc.update(generator_cases())
    allc.update(error_cases())
    for name, script in allc.items():
        case = {"name": name, "script": script}
        try:
            stdout, values = run_reference(script)
            case["stdout"] = stdout
            case["values"] = [encode_array(v) for v in values]
            case["error"] = None
        except ScriptError as e:
            case["stdout"] = e.stdout
            case["values"] = [encode_array(v) for v in e.values]
            case["error"] = {"kind": e.kind, "message": e.message, "line": e.line}
        cases.append(case)
    return {"numpy_version": np.__version__, "cases": cases}


def main():
    import warnings
    warnings.simplefilter("ignore")
    if "--torch-child" in sys.argv:
        json.dump(build_torch(), sys.stdout)
        return 0
    if "--torch" in sys.argv:
        import subprocess
        for cap in ["avx2", "default"]:
            env = dict(os.environ, ATEN_CPU_CAPABILITY=cap)
            out = subprocess.run([sys.executable, os.path.abspath(__file__), "--torch-child"], env=env,
                                 check=True, capture_output=True, text=True).stdout
            data = json.loads(out)
            path = os.path.join(ROOT, "tests", "fixtures", f"torch_cases_{cap}.json")
            with open(path, "w") as f:
                f.write(json.dumps(data, indent=1, sort_keys=True) + "\n")
            print(f"wrote {len(data['cases'])} torch cases ({data['capability']}) to {os.path.relpath(path, ROOT)}")
        return 0
    data = build()
    text = json.dumps(data, indent=1, sort_keys=True) + "\n"
    if "--check" in sys.argv:
        old = open(OUT).read() if os.path.exists(OUT) else ""
        print("fixtures up to date" if old == text else "fixtures differ")
        return 0 if old == text else 1
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write(text)
    n_err = sum(1 for c in data["cases"] if c["error"])
    print(f"wrote {len(data['cases'])} cases ({n_err} error cases) to {os.path.relpath(OUT, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
