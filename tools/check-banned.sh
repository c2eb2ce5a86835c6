#!/bin/sh
# Fail when library or CLI code calls a banned libc function.
# Banned: unbounded copies and formats, tokenisers with hidden state, and
# sscanf (silent partial matches). Use mm_buf, snprintf and mm_cur_* instead.
root=${1:-.}
pattern='\b(strcpy|strcat|sprintf|vsprintf|gets|sscanf|strtok|strncpy|strncat|atoi|atol)[[:space:]]*\('
if grep -rnE "$pattern" "$root/lib" "$root/cli" "$root/include" --include='*.c' --include='*.h'; then
	echo "banned function used (see HACKING.md, 'Banned calls')" >&2
	exit 1
fi
exit 0
