"""The kinds of enhancement system, as plain strings: the System model's choices and the
admin's help read them here without loading torch, onnxruntime or any model code."""

from __future__ import annotations

# Kind → short label: the choices of System.kind. The long text is in DESCRIPTIONS, out of the
# field, so that editing it makes no migration.
KINDS = {
    "unprocessed": "unprocessed input",
    "clean_reference": "clean reference",
    "mnru": "MNRU anchor",
    "spectral_gating": "spectral gating",
    "auricle_sfi": "Auricle SFI",
    "nsnet2": "NSNet2",
    "rnnoise": "RNNoise",
    "webrtc_ns": "WebRTC NS",
    "speex_ns": "Speex NS",
    "torchscript": "your TorchScript model",
    "onnx": "your ONNX model",
    "entry_point": "your Python function",
    "imported": "imported outputs",
}
# Kinds whose model file (System.model_file or params["path"]) is handed over as bytes.
MODEL_FILE_KINDS = {"torchscript", "onnx"}
# Not a model: outputs that arrive as files, matched to the inputs by name.
IMPORTED = "imported"

DESCRIPTIONS = {
    "unprocessed": "The input as it is (lower reference).",
    "clean_reference": "The clean reference (upper anchor); needs clips with references.",
    "mnru": "MNRU anchor (ITU-T P.810); params: q_db.",
    "spectral_gating": "Non-stationary spectral gating (noisereduce's TorchGate), runs on torch.",
    "auricle_sfi": "Auricle's own SFI mask network (torch; one model for 8-48 kHz).",
    "nsnet2": "NSNet2, DNS Challenge baseline (ONNX, 16/48 kHz).",
    "rnnoise": "RNNoise (48 kHz, 10 ms frames).",
    "webrtc_ns": "WebRTC noise suppression (16 kHz); params: level 0-4.",
    "speex_ns": "Speex preprocessor noise suppression (8/16/32/48 kHz).",
    "torchscript": "Your TorchScript model: [batch, samples] in and out; params: sample_rate.",
    "onnx": "Your ONNX model: one input [batch, samples], one output; params: sample_rate.",
    "entry_point": "Your Python function; params: target 'module:function'.",
    "imported": "Outputs sent as files (zip, folder or s3://), matched to inputs by file name.",
}
