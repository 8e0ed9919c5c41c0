"""Settings for a `guanai serve` under test that also answers two requests of known cost
(``limited_server_urls``), so the limits tests do not depend on how fast the machine
renders a real heavy page. Start a server with
``DJANGO_SETTINGS_MODULE="guanai.ops.tests.limited_server"``.
"""

from guanai.settings import *  # noqa: F403 - the installation's settings, with the URLs below

ROOT_URLCONF = "guanai.ops.tests.limited_server_urls"
