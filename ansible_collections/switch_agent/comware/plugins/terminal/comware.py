# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Terminal plugin for Comware (3Com, HPE, H3C) over ansible.netcommon.network_cli.

It tells network_cli where a command's output ends (the prompt of any view: ``<SW>``,
``[SW]``, ``[SW-vlan10]``, ``[SW-GigabitEthernet1/0/1]``), which replies are errors (Comware's
``% ... found at '^' position.`` lines and ``Error:`` replies), and turns paging off when the
shell opens. ``become`` runs ``super`` (Comware's privilege escalation) with the become password.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible.errors import AnsibleConnectionFailure
from ansible.module_utils.common.text.converters import to_bytes, to_text

from ansible_collections.ansible.netcommon.plugins.plugin_utils.terminal_base import TerminalBase


class TerminalModule(TerminalBase):
    # User view <NAME>, system view [NAME] and every sub-view [NAME-...]; an optional RBM_ prefix
    # (IRF/HA) as netmiko allows. The prompt is the last thing on the screen.
    terminal_stdout_re = [
        re.compile(rb"[\r\n]?(?:RBM_[PS])?<[\w.\-/:()@]+>\s?$"),
        re.compile(rb"[\r\n]?(?:RBM_[PS])?\[[~*]?[\w.\-/:()@ ]+\]\s?$"),
    ]

    # Comware's parser errors and the replies its features give when a command is refused.
    terminal_stderr_re = [
        re.compile(rb"% (?:Unrecognized command|Incomplete command|Ambiguous command|Too many parameters|Wrong parameter) found at"),
        re.compile(rb"[\r\n]\s*Error:", re.I),
        re.compile(rb"Permission denied"),
    ]

    terminal_initial_prompt = [rb"Continue\? ?\[Y/N\]:"]
    terminal_initial_answer = [b"Y"]

    terminal_config_prompt = re.compile(r"^(?:RBM_[PS])?\[.+\]$")

    def on_open_shell(self):
        try:
            self._exec_cli_command(b"screen-length disable")
        except AnsibleConnectionFailure as exc:
            raise AnsibleConnectionFailure("unable to turn paging off: %s" % exc) from exc

    def on_become(self, passwd=None):
        cmd = {"command": "super"}
        if passwd:
            cmd["prompt"] = to_text(r"[\r\n]?\s*[Pp]assword: ?$", errors="surrogate_or_strict")
            cmd["answer"] = passwd
            cmd["prompt_retry_check"] = True
        try:
            self._exec_cli_command(to_bytes(json.dumps(cmd), errors="surrogate_or_strict"))
        except AnsibleConnectionFailure as exc:
            raise AnsibleConnectionFailure("unable to raise the privilege level with super: %s" % exc) from exc

    def on_unbecome(self):
        prompt = self._get_prompt()
        if prompt and prompt.strip().endswith(b"]"):
            self._exec_cli_command(b"return")
