"""The upload form."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField


class UploadForm(FlaskForm):
    file = FileField("选择文件")
    public = BooleanField("立即公开（否则仅在引用它的内容发布后公开）")
