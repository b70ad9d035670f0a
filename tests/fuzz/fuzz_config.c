/* fuzz_config.c: libFuzzer target for the YAML readers: each input goes
 * through every reader desk has, as the config (config_load_string), as
 * a key bindings file (keys_load), a canned responses file (canned_load),
 * a theme (theme_load_string) and a knowledge base article (kb_parse,
 * its Markdown then rendered: no escape character may come out).  What a reader accepts is used the
 * way desk uses it: each view's filter parsed, each canned body
 * expanded.  Any result is fine; a crash, a leak or undefined behaviour
 * is not, and a failure must say something. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/tui/theme.h"
#include "config.h"
#include "core.h"
#include "markdown.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[80];

static void at_exit(void)
{
	unlink(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(path, sizeof path, "%s/desk-fuzz-config-XXXXXX", base);
	int fd = mkstemp(path);
	if (fd < 0)
		abort();
	close(fd);
	atexit(at_exit);
	return 0;
}

/* A failure must come with a message: desk prints it as file:line. */
static void failed_with_message(int rc, const struct derr *e, const char *reader)
{
	if (rc != DESK_OK && !e->msg[0]) {
		fprintf(stderr, "fuzz_config: %s failed (%d) without a message\n", reader, rc);
		abort();
	}
}

static void use_config(const struct config *c)
{
	for (size_t i = 0; i < c->nviews; i++) {
		struct view v;
		struct derr e = {0};
		if (view_parse(c->views[i].name, c->views[i].filter, c->views[i].sort,
			       c->views[i].reverse, NULL, &v, &e) == DESK_OK)
			view_free(&v);
	}
}

static void use_canned(const struct canned_list *l)
{
	struct customer cu = {.name = (char *)"Ada Lovelace", .email = (char *)"ada@example.com"};
	struct agent ag = {.login = (char *)"sam", .name = (char *)"Sam Agent"};
	struct ticket t = {.id = 7, .subject = (char *)"Hello", .queue = (char *)"general"};
	struct canned_ctx ctx = {.customer = &cu, .agent = &ag, .ticket = &t};
	for (size_t i = 0; i < l->n; i++) {
		char *out = NULL;
		struct derr e = {0};
		int rc = canned_expand(l->v[i].body, &ctx, &out, &e);
		failed_with_message(rc, &e, "canned_expand");
		free(out);
		struct field_change ch[16];
		canned_changes(&l->v[i], "me", ch, ARRAY_LEN(ch));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The readers take C strings: a NUL ends the text as in a file
	 * read by desk (libyaml rejects it there). */
	char *text = xstrndup((const char *)data, size);
	struct derr e = {0};
	struct config c;
	int rc = config_load_string(text, "fuzz.yaml", &c, &e);
	failed_with_message(rc, &e, "config_load_string");
	if (rc == DESK_OK)
		use_config(&c);
	config_free(&c);

	FILE *f = fopen(path, "w");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	if (fclose(f) != 0)
		abort();

	struct keybind_list kl;
	derr_clear(&e);
	rc = keys_load(path, &kl, &e);
	failed_with_message(rc, &e, "keys_load");
	if (rc == DESK_OK)
		keybind_list_free(&kl);

	struct canned_list cl;
	derr_clear(&e);
	rc = canned_load(path, &cl, &e);
	failed_with_message(rc, &e, "canned_load");
	if (rc == DESK_OK) {
		use_canned(&cl);
		canned_list_free(&cl);
	}

	struct theme th;
	derr_clear(&e);
	rc = theme_load_string(&th, text, "fuzz-theme.yaml", &e);
	failed_with_message(rc, &e, "theme_load_string");

	struct kb_doc kd;
	derr_clear(&e);
	rc = kb_parse("fuzz.md", text, &kd, &e);
	failed_with_message(rc, &e, "kb_parse");
	/* Rendered whether or not it has front matter: the Markdown reader
	 * takes any text. */
	char *out = md_render_text(rc == DESK_OK ? kd.body : text, 24);
	for (const char *p = out; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if ((ch < 0x20 && ch != '\n') || ch == 0x7f) {
			fprintf(stderr, "fuzz_config: md_render_text let control 0x%02x through\n", ch);
			abort();
		}
	}
	free(out);
	kb_doc_free(&kd);
	free(text);
	return 0;
}
