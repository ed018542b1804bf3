"""Auricle's own enhancer: a sampling-frequency-independent STFT mask network in torch."""
