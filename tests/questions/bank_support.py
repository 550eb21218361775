"""Helpers of the bank suites: API payloads per type, real images, the URL of a question."""

import io
import random

from PIL import Image

QUESTIONS = "/api/questions/"


def url(question, action: str = "") -> str:
    return f"{QUESTIONS}{question.pk if hasattr(question, 'pk') else question}/{action + '/' if action else ''}"


def single(text="What is the SI unit of force?", subject="PHY", **extra) -> dict:
    return {
        "subject": subject,
        "type": "single",
        "text": {"en": text},
        "options": [
            {"text": {"en": "Newton"}, "correct": True},
            {"text": {"en": "Joule"}, "correct": False},
            {"text": {"en": "Watt"}, "correct": False},
            {"text": {"en": "Pascal"}, "correct": False},
        ],
        "marks": "4",
        "negative_marks": "1",
        "topic": "Mechanics/Forces",
        **extra,
    }


def multiple(**extra) -> dict:
    return {
        "subject": "PHY",
        "type": "multiple",
        "text": {"en": "Which are vectors?"},
        "options": [
            {"text": {"en": "Velocity"}, "correct": True},
            {"text": {"en": "Force"}, "correct": True},
            {"text": {"en": "Mass"}, "correct": False},
        ],
        **extra,
    }


def numeric(**extra) -> dict:
    return {
        "subject": "PHY",
        "type": "numeric",
        "text": {"en": "g in m/s^2?"},
        "answer": {"value": "9.8", "tolerance": "0.1"},
        **extra,
    }


def descriptive(**extra) -> dict:
    return {
        "subject": "PHY",
        "type": "descriptive",
        "text": {"en": "Derive the equations of motion."},
        "marks": "5",
        "model_answer": {"en": "Start from a = dv/dt ..."},
        "marking_scheme": [
            {"part": "a", "description": "first equation", "marks": "2"},
            {"part": "b", "description": "second and third", "marks": "3"},
        ],
        **extra,
    }


def true_false(**extra) -> dict:
    return {
        "subject": "PHY",
        "type": "true_false",
        "text": {"en": "Light is a wave."},
        "options": [{"text": {"en": "True"}, "correct": True}, {"text": {"en": "False"}, "correct": False}],
        **extra,
    }


def png_bytes(width=40, height=30, color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return out.getvalue()


def noisy_png(width: int, height: int) -> bytes:
    """A PNG that does not compress (random pixels): big in bytes for its size."""
    pixels = random.Random(12).randbytes(width * height * 3)
    image = Image.frombytes("RGB", (width, height), pixels)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
