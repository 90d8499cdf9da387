# >>> roadmap-hooks v1 >>>
# Keeps the roadmap issue cache current. Added by `roadmap-hooks install`;
# `roadmap-hooks uninstall` removes it. ROADMAP_HOOKS=0 turns it off for one command.
if [ "${ROADMAP_HOOKS:-1}" != 0 ]; then
  if [ -x {{BINARY}} ]; then
    {{BINARY}} hook {{HOOK}} "$@" </dev/null || :
  else
    echo "roadmap-hooks: "{{BINARY}}" is missing; issue cache not updated (reinstall: roadmap-hooks install)" >&2
  fi
fi
# <<< roadmap-hooks <<<
