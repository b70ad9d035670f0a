/* actions.c: the action table built from DESK_ACTIONS, and lookups. */
#include <string.h>

#include "actions.h"
#include "util.h"

const struct action actions[ACT__COUNT] = {
#define X(id, name_, flags_, arg_, fn_, keys_, help_)                                     \
	[ACT_##id] = {.name = name_, .flags = flags_, .arg = arg_, .fn = fn_, .keys = keys_, \
		      .help = help_},
	DESK_ACTIONS(X)
#undef X
};

int action_find(const char *name)
{
	for (int i = 0; name && i < ACT__COUNT; i++)
		if (strcmp(actions[i].name, name) == 0)
			return i;
	return -1;
}

const char *action_suggest(const char *name)
{
	const char *names[ACT__COUNT];
	for (int i = 0; i < ACT__COUNT; i++)
		names[i] = actions[i].name;
	return str_suggest(name, names, ACT__COUNT, 2); /* only close misspellings */
}
