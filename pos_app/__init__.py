"""积分收银台: an offline loyalty-points point-of-sale client."""

__version__ = "0.1.0"
