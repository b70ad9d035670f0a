/* newtags.c: before a tag no ticket carries is made, the console asks
 * ("tag \"refnd\" is new: create it? (did you mean \"refund\"?)"): a
 * typo would otherwise start a tag of its own, split a report and hide
 * tickets from every view that filters on the right one. */
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "text.h"
#include "ui.h"
#include "util.h"

struct newtags {
	char *list;
	newtags_yes_fn yes;
	void *data;
	void (*free_data)(void *data);
};

static void newtags_free(void *p)
{
	struct newtags *k = p;
	if (k->free_data)
		k->free_data(k->data);
	free(k->list);
	free(k);
}

static int answered(struct app *a, const char *answer, void *data)
{
	struct newtags *k = data;
	if (!answer || answer[0] != 'y') {
		app_msg(a, "Not tagged.");
		return RD_STATUS;
	}
	return k->yes(a, k->list, k->data);
}

/* The question for the new tags of list, or NULL when none is new (or
 * the store could not say: then the action goes on, and its own check
 * reports what is wrong). */
static char *question(struct app *a, const char *list)
{
	struct strbuf q = {0};
	int n = 0;
	char *copy = xstrdup(list);
	for (char *save = NULL, *t = strtok_r(copy, " ,", &save); t; t = strtok_r(NULL, " ,", &save)) {
		bool is_new = false;
		char *near = NULL;
		struct derr e = {0};
		if (!label_is_valid(t) || core_tag_is_new(a->d, t, &is_new, &near, &e) || !is_new) {
			free(near);
			continue;
		}
		sb_addf(&q, "%s\"%s\"", n++ ? ", " : "", t);
		if (near)
			sb_addf(&q, " (did you mean \"%s\"?)", near);
		free(near);
	}
	free(copy);
	if (!n) {
		sb_free(&q);
		return NULL;
	}
	char *safe = text_sanitize(sb_str(&q), 0);
	char *label = xasprintf("%s %s %s: create %s? (y/n) ", n == 1 ? "tag" : "tags", safe,
				n == 1 ? "is new" : "are new", n == 1 ? "it" : "them");
	free(safe);
	sb_free(&q);
	return label;
}

bool newtags_ask(struct app *a, const char *list, newtags_yes_fn yes, void *data,
		 void (*free_data)(void *data), int *flags)
{
	char *label = question(a, list);
	if (!label)
		return false;
	struct newtags *k = xcalloc(1, sizeof *k);
	*k = (struct newtags){xstrdup(list), yes, data, free_data};
	struct prompt_spec s = {.label = label, .choices = "yn", .history = -1, .mode = "new tag",
				.done = answered, .data = k, .free_data = newtags_free};
	*flags = prompt_open(a, &s);
	free(label);
	return true;
}
