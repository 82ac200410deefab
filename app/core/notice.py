"""The system-use notice shown before every log-on (CJIS Security Policy 5.5.4), in one place.

Kept in a module with no imports so the command line can show it in ``--help`` and before a
password prompt without loading the services.
"""

SYSTEM_USE_NOTICE = (
    "This system holds criminal justice information. Use is limited to authorized staff for "
    "official business. Activity is recorded and may be monitored and audited; unauthorized use "
    "may lead to discipline and prosecution. By logging on you accept these terms."
)
