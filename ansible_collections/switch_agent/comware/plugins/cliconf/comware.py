# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cliconf plugin for Comware (3Com, HPE, H3C) over ansible.netcommon.network_cli.

What ``cli_command`` and ``cli_config`` need from a platform: the running and saved
configuration (``display current-configuration`` / ``display saved-configuration``), a diff of a
candidate against the running configuration (Comware's configuration is indented by one space
per level and its sections are separated by ``#`` lines, which netcommon's NetworkConfig reads as
comments), and applying lines in ``system-view``: an indented line is a command of the view its
parent opened, and leaving a level is ``quit``. After a change the configuration is saved with
``save force`` unless ``save_when`` says ``never``, so a reboot never loses what Ansible pushed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = """
author:
- switch-agent developers
name: comware
short_description: Use comware cliconf to run commands on HPE/H3C/3Com Comware devices
description:
- Low-level CLI abstraction (get, get_config, edit_config, get_diff) for Comware 5 and Comware 7.
version_added: 1.0.0
options:
  save_when:
    type: str
    default: changed
    choices: [changed, never]
    description:
    - C(changed) saves the configuration (C(save force)) after C(edit_config) applied lines;
      C(never) leaves it unsaved.
    env:
    - name: ANSIBLE_COMWARE_SAVE_WHEN
    vars:
    - name: ansible_comware_save_when
"""

import json
import re

from ansible.errors import AnsibleConnectionFailure
from ansible.module_utils.common.text.converters import to_text
from ansible_collections.ansible.netcommon.plugins.module_utils.network.common.config import (
    NetworkConfig,
    dumps,
)
from ansible_collections.ansible.netcommon.plugins.module_utils.network.common.utils import to_list
from ansible_collections.ansible.netcommon.plugins.plugin_utils.cliconf_base import CliconfBase

# `display version` first lines, Comware 5 and 7: vendor line, then the software version.
_VERSION_RE = re.compile(r"Comware Software, Version (\S+),? (?:Release|Feature) (\S+)")
_MODEL_RE = re.compile(r"^(?:HPE |H3C |3Com |HP )?(.+?) uptime is", re.M)
_PROMPT_RE = re.compile(r"[<\[]([^>\]\-]+)")

# Sources of get_config: Ansible's names and the Comware command for each.
_SOURCES = {
    "running": "display current-configuration",
    "startup": "display saved-configuration",
}


def _depth(line):
    """Nesting level of a configuration line: Comware indents one space per level."""
    return len(line) - len(line.lstrip(" "))


class Cliconf(CliconfBase):
    def __init__(self, *args, **kwargs):
        super(Cliconf, self).__init__(*args, **kwargs)
        self._device_info = {}

    def get_device_info(self):
        if not self._device_info:
            info = {"network_os": "comware"}
            reply = to_text(self.get("display version"), errors="surrogate_or_strict")
            match = _VERSION_RE.search(reply)
            if match:
                info["network_os_version"] = "%s %s" % match.groups()
            match = _MODEL_RE.search(reply)
            if match:
                info["network_os_model"] = match.group(1).strip()
            prompt = to_text(self._connection.get_prompt() or b"", errors="surrogate_or_strict")
            match = _PROMPT_RE.search(prompt.strip())
            if match:
                info["network_os_hostname"] = match.group(1)
            self._device_info = info
        return self._device_info

    def get_config(self, source="running", flags=None, format=None):
        if source not in _SOURCES:
            raise ValueError("fetching configuration from %s is not supported" % source)
        if format not in (None, "text"):
            raise ValueError("'format' value %s is invalid; valid values are text" % format)
        command = " ".join([_SOURCES[source]] + to_list(flags))
        return self.send_command(command)

    def get_diff(self, candidate=None, running=None, diff_match="line", diff_ignore_lines=None,
                 path=None, diff_replace="line"):
        if candidate is None:
            raise ValueError("candidate configuration is required to generate diff")
        options = self.get_option_values()
        if diff_match not in options["diff_match"]:
            raise ValueError("'match' value %s is invalid; valid values are %s" % (diff_match, ", ".join(options["diff_match"])))
        if diff_replace not in options["diff_replace"]:
            raise ValueError("'replace' value %s is invalid; valid values are %s" % (diff_replace, ", ".join(options["diff_replace"])))
        want = NetworkConfig(indent=1)
        want.load(candidate)
        if running and diff_match != "none":
            have = NetworkConfig(indent=1, contents=running, ignore_lines=diff_ignore_lines)
            missing = want.difference(have, path=path, match=diff_match, replace=diff_replace)
        else:
            missing = want.items
        # "raw" keeps the indentation, which edit_config needs to know each line's view.
        return {"config_diff": dumps(missing, "raw") if missing else "", "banner_diff": {}}

    def edit_config(self, candidate=None, commit=True, replace=None, comment=None):
        operations = self.get_device_operations()
        self.check_edit_config_capability(operations, candidate, commit, replace, comment)
        if not commit:
            raise ValueError("check mode is handled by get_diff; edit_config always applies")
        requests, results = [], []
        self.send_command("system-view")
        depth = 0
        try:
            for item in to_list(candidate):
                line = item if isinstance(item, dict) else {"command": item}
                text = line["command"]
                if not text.strip() or text.strip() in ("#", "return"):
                    continue
                level = _depth(text)
                while depth > level:  # leave the views the previous lines opened
                    self.send_command("quit")
                    depth -= 1
                line = dict(line, command=text.strip())
                before = self._prompt()
                results.append(self.send_command(**line))
                requests.append(line["command"])
                if line["command"] == "quit":
                    depth = max(depth - 1, 0)
                elif self._prompt() != before:  # the line opened a view: its children follow
                    depth = level + 1
        finally:
            self.send_command("return")
        if requests and self.get_option("save_when") == "changed":
            results.append(self.send_command("save force"))
            requests.append("save force")
        return {"request": requests, "response": results}

    def _prompt(self):
        return to_text(self._connection.get_prompt() or b"", errors="surrogate_or_strict").strip()

    def get(self, command=None, prompt=None, answer=None, sendonly=False, newline=True,
            output=None, check_all=False):
        if not command:
            raise ValueError("must provide value of command to execute")
        if output:
            raise ValueError("'output' value %s is not supported for get" % output)
        return self.send_command(command=command, prompt=prompt, answer=answer, sendonly=sendonly,
                                 newline=newline, check_all=check_all)

    def run_commands(self, commands=None, check_rc=True):
        if commands is None:
            raise ValueError("'commands' value is required")
        responses = []
        for cmd in to_list(commands):
            if not isinstance(cmd, dict):
                cmd = {"command": cmd}
            if cmd.get("output"):
                raise ValueError("'output' value %s is not supported for run_commands" % cmd["output"])
            try:
                out = self.send_command(**cmd)
            except AnsibleConnectionFailure as exc:
                if check_rc:
                    raise
                out = getattr(exc, "err", exc)
            responses.append(out)
        return responses

    def get_device_operations(self):
        return {
            "supports_diff_replace": True,
            "supports_commit": False,
            "supports_rollback": False,
            "supports_defaults": False,
            "supports_onbox_diff": False,
            "supports_commit_comment": False,
            "supports_multiline_delimiter": False,
            "supports_diff_match": True,
            "supports_diff_ignore_lines": True,
            "supports_generate_diff": True,
            "supports_replace": False,
        }

    def get_option_values(self):
        return {
            "format": ["text"],
            "diff_match": ["line", "strict", "exact", "none"],
            "diff_replace": ["line", "block"],
            "output": [],
        }

    def get_capabilities(self):
        result = super(Cliconf, self).get_capabilities()
        result["rpc"] += ["get_diff", "run_commands"]
        result["device_operations"] = self.get_device_operations()
        result.update(self.get_option_values())
        return json.dumps(result)
