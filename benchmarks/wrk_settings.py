"""Settings for ``bench_api_wrk.py`` only: the production settings with a URLconf that adds the minimal baseline
endpoint (``wrk_urls``).  Never used by the service; the baseline has no authentication."""

from recruiting.settings import *

ROOT_URLCONF = "wrk_urls"
