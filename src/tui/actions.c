/* actions.c: the action table built from DESK_ACTIONS, and lookups. */
#include <string.h>

#include "actions.h"

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

/* Levenshtein distance, capped: names are short. */
static int distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int row[64];
	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j];
			int best = diag + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			if (up + 1 < best)
				best = up + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *action_suggest(const char *name)
{
	const char *best = NULL;
	int bestd = 3; /* suggest only close misspellings */
	for (int i = 0; name && i < ACT__COUNT; i++) {
		int d = distance(name, actions[i].name);
		if (d < bestd) {
			bestd = d;
			best = actions[i].name;
		}
	}
	return best;
}
