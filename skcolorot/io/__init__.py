"""Files and video: image files (``_image_read``, ``_image_write``, and formats,
output checks and bit depths in ``_image_formats``), colour management
(``_colormanage``, ``_files``), LUT files (``_cube``, ``_lut_formats``), atomic
writes (``_atomic``), output planning (``_outputs``), batch grading (``_batch``)
and video through ffmpeg (``_video``)."""

from .._utils._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__,
    {
        "grade_frames": "._batch",
        "grade_files": "._batch",
        "sample_files": "._batch",
        "read_cube": "._cube",
        "read_cube_lut": "._cube",
        "CubeLUT": "._cube",
        "write_cube": "._cube",
        "named_profile": "._colormanage",
        "load_profile": "._colormanage",
        "convert_profile": "._colormanage",
        "profile_description": "._colormanage",
        "is_rgb_profile": "._colormanage",
        "same_profile": "._colormanage",
        "check_profile": "._colormanage",
        "cube_title": "._lut_formats",
        "write_hald": "._lut_formats",
        "read_hald": "._lut_formats",
        "hald_level": "._lut_formats",
        "write_3dl": "._lut_formats",
        "write_domain_cube": "._lut_formats",
        "log2_shaper": "._lut_formats",
        "shaper_path": "._lut_formats",
        "grade_video": "._video",
        "probe_video": "._video",
        "read_frames": "._video",
        "ffmpeg_executable": "._video",
    },
)
