/* test_tui_keys.c: key names, the built-in keymap from the action
 * table, and the keys file laid over it: a valid file, and each mistake
 * with its exact FILE:LINE:COL message. */
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/tui/actions.h"
#include "../../src/tui/keymap.h"
#include "config.h"
#include "testlib.h"
#include "tui.h"
#include "util.h"

#define NCURSES_WIDECHAR 1
#include <curses.h>

static char *dir;
static char *saved_locale;

static void setup(void)
{
	dir = test_tmpdir();
	saved_locale = xstrdup(setlocale(LC_CTYPE, NULL));
	ck_assert_ptr_nonnull(setlocale(LC_CTYPE, "C.UTF-8"));
}

static void teardown(void)
{
	test_tmpdir_cleanup(&dir);
	setlocale(LC_CTYPE, saved_locale);
	xfree(&saved_locale);
}

static char *write_keys(const char *text)
{
	char *path = xasprintf("%s/keys.yaml", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Loads text as a keys file and expects the message (after "PATH:"). */
static void expect_error(const char *text, const char *msg)
{
	char *path = write_keys(text);
	struct keymap km;
	struct derr e = {0};
	ck_assert_int_eq(keymap_load(&km, path, NULL, &e), DESK_EINVAL);
	char *want = xasprintf("%s:%s", path, msg);
	ck_assert_str_eq(e.msg, want);
	free(want);
	free(path);
}

START_TEST(key_names)
{
	ck_assert_int_eq(key_parse("j"), 'j');
	ck_assert_int_eq(key_parse("G"), 'G');
	ck_assert_int_eq(key_parse("?"), '?');
	ck_assert_int_eq(key_parse(":"), ':');
	ck_assert_int_eq(key_parse("C-d"), 4);
	ck_assert_int_eq(key_parse("C-D"), 4);
	ck_assert_int_eq(key_parse("Enter"), 13);
	ck_assert_int_eq(key_parse("C-m"), 13);
	ck_assert_int_eq(key_parse("Tab"), 9);
	ck_assert_int_eq(key_parse("C-i"), 9);
	ck_assert_int_eq(key_parse("Esc"), 27);
	ck_assert_int_eq(key_parse("Space"), ' ');
	ck_assert_int_eq(key_parse("PgDn"), KEYF(KEY_NPAGE));
	ck_assert_int_eq(key_parse("pagedown"), KEYF(KEY_NPAGE));
	ck_assert_int_eq(key_parse("PgUp"), KEYF(KEY_PPAGE));
	ck_assert_int_eq(key_parse("Up"), KEYF(KEY_UP));
	ck_assert_int_eq(key_parse("Home"), KEYF(KEY_HOME));
	ck_assert_int_eq(key_parse("F1"), KEYF(KEY_F(1)));
	ck_assert_int_eq(key_parse("F12"), KEYF(KEY_F(12)));
	ck_assert_int_eq(key_parse("é"), 0xe9);
	ck_assert_int_eq(key_parse("Ctrl-x"), -1);
	ck_assert_int_eq(key_parse("C-"), -1);
	ck_assert_int_eq(key_parse("C-xy"), -1);
	ck_assert_int_eq(key_parse("jj"), -1);
	ck_assert_int_eq(key_parse("F13"), -1);
	ck_assert_int_eq(key_parse(""), -1);
	ck_assert_int_eq(key_parse(" "), -1);
	ck_assert_int_eq(key_parse("\x1b"), -1);
	ck_assert_int_eq(key_parse("\xc2\x9b"), -1); /* a C1 control is no key name */

	const char *canon[] = {"j", "C-d", "Enter", "Tab", "BTab", "Esc", "Space", "PgDn",
			       "PgUp", "F5", "Backspace", "Delete", "é", "C-Space"};
	for (size_t i = 0; i < ARRAY_LEN(canon); i++) {
		char buf[32];
		key_label(key_parse(canon[i]), buf, sizeof buf);
		ck_assert_str_eq(buf, canon[i]);
	}
	/* DEL from the terminal is Backspace; the keypad's Enter is Enter. */
	ck_assert_int_eq(key_from_input(0x7f, false), KEYF(KEY_BACKSPACE));
	ck_assert_int_eq(key_from_input(KEY_ENTER, true), 13);
}
END_TEST

START_TEST(defaults_from_action_table)
{
	struct keymap km;
	struct derr e = {0};
	ck_assert_int_eq(keymap_defaults(&km, &e), DESK_OK);
	ck_assert_int_eq(keymap_lookup(&km, KC_QUEUE, 'j'), ACT_DOWN);
	ck_assert_int_eq(keymap_lookup(&km, KC_CONV, KEYF(KEY_DOWN)), ACT_DOWN);
	ck_assert_int_eq(keymap_lookup(&km, KC_QUEUE, 'G'), ACT_BOTTOM);
	ck_assert_int_eq(keymap_lookup(&km, KC_QUEUE, 4), ACT_HALF_DOWN);
	ck_assert_int_eq(keymap_lookup(&km, KC_QUEUE, 'r'), ACT_REPLY);
	ck_assert_int_eq(keymap_lookup(&km, KC_QUEUE, '?'), ACT_HELP);
	ck_assert_int_eq(keymap_lookup(&km, KC_QUEUE, 'Q'), ACT_QUIT);
	ck_assert_int_eq(keymap_lookup(&km, KC_PROMPT, 13), ACT_ACCEPT);
	ck_assert_int_eq(keymap_lookup(&km, KC_PROMPT, 4), ACT_DELETE);
	/* The prompt does not fall back to global keys. */
	ck_assert_int_eq(keymap_lookup(&km, KC_PROMPT, 'j'), -1);
	ck_assert_int_eq(keymap_lookup(&km, KC_QUEUE, 'Z'), -1);
	char keys[64];
	ck_assert_int_eq(keymap_keys(&km, KC_GLOBAL, ACT_DOWN, keys, sizeof keys), 2);
	ck_assert_str_eq(keys, "j Down");
	/* Every action has a name, a help line, and parses back. */
	for (int i = 0; i < ACT__COUNT; i++) {
		ck_assert_int_eq(action_find(actions[i].name), i);
		ck_assert(actions[i].help && *actions[i].help);
		ck_assert(actions[i].fn != NULL);
	}
	ck_assert_int_eq(action_find("no-such"), -1);
	keymap_free(&km);
}
END_TEST

START_TEST(valid_file)
{
	char *path = write_keys("# my keys\n"
				"global:\n"
				"  x: reply\n"
				"  r: none\n"
				"  C-o: canned-reply\n"
				"queue:\n"
				"  j: up\n"
				"conversation:\n"
				"  G: none\n"
				"prompt:\n"
				"  C-o: accept\n");
	struct keymap km;
	struct derr e = {0};
	ck_assert_int_eq(keymap_load(&km, path, NULL, &e), DESK_OK);
	ck_assert_int_eq(keymap_lookup(&km, KC_QUEUE, 'x'), ACT_REPLY);
	ck_assert_int_eq(keymap_lookup(&km, KC_QUEUE, 'r'), -1);
	ck_assert_int_eq(keymap_lookup(&km, KC_GLOBAL, 15), ACT_CANNED_REPLY);
	ck_assert_int_eq(keymap_lookup(&km, KC_QUEUE, 'j'), ACT_UP);
	ck_assert_int_eq(keymap_lookup(&km, KC_CONV, 'j'), ACT_DOWN);
	/* Unbound in one pane only: the global binding does not apply there. */
	ck_assert_int_eq(keymap_lookup(&km, KC_CONV, 'G'), -1);
	ck_assert_int_eq(keymap_lookup(&km, KC_QUEUE, 'G'), ACT_BOTTOM);
	ck_assert_int_eq(keymap_lookup(&km, KC_PROMPT, 15), ACT_ACCEPT);
	ck_assert_int_eq(keymap_lookup(&km, KC_PROMPT, 13), ACT_ACCEPT);
	keymap_free(&km);
	free(path);
}
END_TEST

START_TEST(unknown_action)
{
	/* At the action's place (in a macro, each step has its own). */
	expect_error("queue:\n  j: dwon\n", "2:6: unknown action \"dwon\" (did you mean \"down\"?)");
	expect_error("global:\n  x: frobnicate\n",
		     "2:6: unknown action \"frobnicate\"; `desk keys` lists them");
}
END_TEST

START_TEST(conflicting_key)
{
	/* Two names of one key, in one context. */
	expect_error("queue:\n  PgDn: down\n  PageDown: up\n",
		     "3:3: key \"PageDown\" in queue is already bound to \"down\" at line 2");
	expect_error("global:\n  Tab: reply\n  C-i: note\n",
		     "3:3: key \"C-i\" in global is already bound to \"reply\" at line 2");
	/* The same key in two contexts is fine. */
	char *path = write_keys("global:\n  x: reply\nqueue:\n  x: note\n");
	struct keymap km;
	struct derr e = {0};
	ck_assert_int_eq(keymap_load(&km, path, NULL, &e), DESK_OK);
	ck_assert_int_eq(keymap_lookup(&km, KC_QUEUE, 'x'), ACT_NOTE);
	ck_assert_int_eq(keymap_lookup(&km, KC_CONV, 'x'), ACT_REPLY);
	keymap_free(&km);
	free(path);
}
END_TEST

START_TEST(bad_key_name)
{
	expect_error("global:\n  Ctrl-x: reply\n",
		     "2:3: unknown key \"Ctrl-x\"; expected a character, C-x, Enter, Tab, BTab, "
		     "Esc, Space, Backspace, Delete, Insert, Up, Down, Left, Right, Home, End, "
		     "PgUp, PgDn or F1-F12");
}
END_TEST

START_TEST(wrong_context)
{
	expect_error("queue:\n  x: accept\n",
		     "2:6: \"accept\" is a prompt action; bind it under prompt:");
	expect_error("prompt:\n  x: reply\n",
		     "2:6: \"reply\" is not a prompt action; bind it outside prompt:");
	expect_error("prompt:\n  x: [accept]\n",
		     "2:7: \"accept\": prompt keys take one action, with no argument");
}
END_TEST

START_TEST(shape_errors_from_config)
{
	/* The file's shape is checked by keys_load (config/), with its place. */
	char *path = write_keys("qeueu:\n  j: down\n");
	struct keymap km;
	struct derr e = {0};
	ck_assert_int_eq(keymap_load(&km, path, NULL, &e), DESK_EINVAL);
	char *want = xasprintf("%s:1:1:", path);
	ck_assert_msg(strncmp(e.msg, want, strlen(want)) == 0, "got %s", e.msg);
	free(want);
	free(path);
}
END_TEST

START_TEST(check_config_and_print)
{
	struct config c;
	config_defaults(&c);
	struct derr e = {0};
	c.keys_file = write_keys("global:\n  j: dwon\n");
	ck_assert_int_eq(tui_check_config(&c, &e), DESK_EINVAL);
	ck_assert(strstr(e.msg, "keys.yaml:2:6: unknown action \"dwon\""));
	xfree(&c.keys_file);
	c.canned_file = test_data("canned.yaml");
	free(c.themes_dir);
	c.themes_dir = test_data("../../themes");
	derr_clear(&e);
	ck_assert_msg(tui_check_config(&c, &e) == DESK_OK, "%s", e.msg);
	config_free(&c);

	char *out = xasprintf("%s/keymap.txt", dir);
	FILE *f = fopen(out, "w");
	ck_assert_int_eq(tui_print_keymap(NULL, f, NULL, &e), DESK_OK);
	fclose(f);
	char *text = read_file(out, NULL);
	ck_assert(strstr(text, "global j down move down one line\n"));
	ck_assert(strstr(text, "global C-d half-down "));
	ck_assert(strstr(text, "prompt Enter accept "));
	ck_assert(strstr(text, "global none mouse "));
	free(text);
	free(out);
}
END_TEST


/* "status solved" and lists of actions: steps with their arguments. */
START_TEST(arguments_and_macros)
{
	char *path = write_keys("global:\n"
				"  S: status solved\n"
				"  F2: canned-reply refund-approved\n"
				"  X: [status solved, next-ticket]\n"
				"  y: [reply]\n"
				"  Z: next-ticket\n"
				"queue:\n"
				"  A: assign me\n");
	struct keymap km;
	struct derr e = {0};
	ck_assert_msg(keymap_load(&km, path, NULL, &e) == DESK_OK, "%s", e.msg);
	/* A plain action stays plain; anything with an argument is steps. */
	ck_assert_int_eq(keymap_lookup(&km, KC_GLOBAL, 'Z'), ACT_NEXT_TICKET);
	ck_assert_int_eq(keymap_lookup(&km, KC_GLOBAL, 'S'), -1);
	const struct kbinding *b = keymap_binding(&km, KC_QUEUE, 'S');
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(b->action, KM_STEPS);
	ck_assert_uint_eq(b->nsteps, 1);
	ck_assert_int_eq(b->steps[0].action, ACT_STATUS);
	ck_assert_str_eq(b->steps[0].arg, "solved");
	b = keymap_binding(&km, KC_CONV, 'X');
	ck_assert_uint_eq(b->nsteps, 2);
	ck_assert(b->macro);
	ck_assert_int_eq(b->steps[1].action, ACT_NEXT_TICKET);
	ck_assert_ptr_null(b->steps[1].arg);
	char text[128];
	kbinding_text(b, text, sizeof text);
	ck_assert_str_eq(text, "[status solved, next-ticket]");
	b = keymap_binding(&km, KC_GLOBAL, 'y');
	ck_assert_int_eq(b->action, KM_STEPS);
	ck_assert_int_eq(b->steps[0].action, ACT_REPLY);
	/* Only in the queue pane. */
	b = keymap_binding(&km, KC_QUEUE, 'A');
	ck_assert_str_eq(b->steps[0].arg, "me");
	ck_assert_int_eq(keymap_binding(&km, KC_CONV, 'A')->action, ACT_AUDIT);
	keymap_free(&km);
	free(path);
}
END_TEST

START_TEST(argument_mistakes)
{
	expect_error("global:\n  S: status solvd\n",
		     "2:13: status: unknown status \"solvd\"; expected one of: open, pending, "
		     "on_hold, solved, closed");
	expect_error("global:\n  S: priority p1\n",
		     "2:15: priority: unknown priority \"p1\"; expected one of: low, normal, "
		     "high, urgent");
	expect_error("global:\n  S: sort newest\n",
		     "2:11: sort: unknown sort \"newest\"; expected one of: urgency, priority, "
		     "created, updated, id");
	expect_error("global:\n  S: reply now\n",
		     "2:6: \"reply\" takes no argument (got \"now\")");
	expect_error("global:\n  S: open twelve\n", "2:11: open: \"twelve\" is not a ticket number");
	expect_error("global:\n  S: tag-add 'VIP!'\n",
		     "2:14: tag-add: \"'VIP!'\" is not a tag name (1 to 64 of a-z, 0-9, '-', '_', "
		     "'.', '/', starting with a letter or digit)");
	/* The step that is wrong, in a list. */
	expect_error("global:\n  X: [next-ticket, status done]\n",
		     "2:27: status: unknown status \"done\"; expected one of: open, pending, "
		     "on_hold, solved, closed");
	expect_error("global:\n  X: [next-ticket, frob]\n",
		     "2:20: unknown action \"frob\"; `desk keys` lists them");
	expect_error("global:\n  X: [next-ticket, none]\n",
		     "2:20: none unbinds a key; it cannot be a step of a list");
	expect_error("global:\n  X: []\n",
		     "2:6: expected a list of actions (a macro), got an empty list");
	expect_error("global:\n  X: [next-ticket, [a]]\n",
		     "2:20: expected an action name (with its argument), got a sequence");
	/* Two different bindings of one key. */
	expect_error("global:\n  X: status solved\n  X: status open\n",
		     "3:3: duplicate key \"X\"; first defined on line 2");
}
END_TEST

/* Canned response names, views and queues are checked when known. */
START_TEST(arguments_checked_against_config)
{
	struct config c;
	config_defaults(&c);
	struct canned_list canned = {0};
	char *cpath = test_data("canned.yaml");
	struct derr e = {0};
	ck_assert_int_eq(canned_load(cpath, &canned, &e), DESK_OK);
	c.canned_file = cpath;
	c.queues = xcalloc(2, sizeof *c.queues);
	c.queues[0] = xstrdup("general");
	c.queues[1] = xstrdup("billing");
	c.nqueues = 2;
	struct keymap_check chk = {&c, &canned};
	struct {
		const char *text, *msg;
	} bad[] = {
		{"global:\n  F2: canned-reply refund\n",
		 "2:20: canned-reply: unknown canned response \"refund\"; expected one of: "
		 "greeting, refund-approved, need-more-info, password-reset, shipping-delay, "
		 "escalation-note"},
		{"global:\n  F2: queue biling\n",
		 "2:13: queue: no queue \"biling\"; did you mean \"billing\"?"},
		{"global:\n  F2: view minee\n",
		 "2:12: view: unknown view \"minee\"; expected one of: "},
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		char *path = write_keys(bad[i].text);
		struct keymap km;
		derr_clear(&e);
		ck_assert_int_eq(keymap_load(&km, path, &chk, &e), DESK_EINVAL);
		char *want = xasprintf("%s:%s", path, bad[i].msg);
		ck_assert_msg(strncmp(e.msg, want, strlen(want)) == 0, "got %s\nwant %s", e.msg,
			      want);
		free(want);
		free(path);
	}
	/* Good ones load. */
	char *path = write_keys("global:\n  F2: canned-reply refund-approved\n"
				"  F3: queue billing\n  F4: view mine\n");
	struct keymap km;
	ck_assert_msg(keymap_load(&km, path, &chk, &e) == DESK_OK, "%s", e.msg);
	keymap_free(&km);
	free(path);
	/* No canned file at all: a canned step cannot work. */
	c.canned_file = NULL;
	path = write_keys("global:\n  F2: canned-reply refund-approved\n");
	ck_assert_int_eq(keymap_load(&km, path, &chk, &e), DESK_EINVAL);
	ck_assert(strstr(e.msg, "the config names no canned file"));
	free(path);
	free(cpath);
	canned_list_free(&canned);
	config_free(&c);
}
END_TEST

/* The `:` prompt's reading of a line is the keys file's. */
START_TEST(action_lines)
{
	int id;
	char *arg;
	const char *near;
	ck_assert_int_eq(action_line_parse("  status   solved ", &id, &arg, &near), AL_OK);
	ck_assert_int_eq(id, ACT_STATUS);
	ck_assert_str_eq(arg, "solved");
	free(arg);
	ck_assert_int_eq(action_line_parse("tag-add vip refund", &id, &arg, &near), AL_OK);
	ck_assert_str_eq(arg, "vip refund");
	free(arg);
	ck_assert_int_eq(action_line_parse("next-ticket", &id, &arg, &near), AL_OK);
	ck_assert_ptr_null(arg);
	ck_assert_int_eq(action_line_parse("   ", &id, &arg, &near), AL_EMPTY);
	ck_assert_int_eq(action_line_parse("stauts solved", &id, &arg, &near), AL_UNKNOWN);
	ck_assert_str_eq(near, "status");
	ck_assert_ptr_null(arg);
	ck_assert_int_eq(action_line_parse("accept", &id, &arg, &near), AL_PROMPT);
	ck_assert_int_eq(action_line_parse("reply hello", &id, &arg, &near), AL_NO_ARG);
	ck_assert_ptr_null(arg);
}
END_TEST

/* `desk keys` shows what a key runs, argument and macro included. */
START_TEST(print_steps)
{
	struct config c;
	config_defaults(&c);
	c.keys_file = write_keys("global:\n  S: status solved\n  X: [status solved, next-ticket]\n");
	char *out = xasprintf("%s/keymap.txt", dir);
	FILE *f = fopen(out, "w");
	struct derr e = {0};
	ck_assert_int_eq(tui_print_keymap(&c, f, NULL, &e), DESK_OK);
	fclose(f);
	char *text = read_file(out, NULL);
	ck_assert_msg(strstr(text, "global S status solved set the status\n"), "%s", text);
	ck_assert(strstr(text, "global X [status solved, next-ticket] a macro: "));
	free(text);
	free(out);
	config_free(&c);
}
END_TEST

Suite *suite_tui_keys(void)
{
	Suite *s = suite_create("tui_keys");
	TCase *tc = tcase_create("keys");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, key_names);
	tcase_add_test(tc, defaults_from_action_table);
	tcase_add_test(tc, valid_file);
	tcase_add_test(tc, unknown_action);
	tcase_add_test(tc, conflicting_key);
	tcase_add_test(tc, bad_key_name);
	tcase_add_test(tc, wrong_context);
	tcase_add_test(tc, shape_errors_from_config);
	tcase_add_test(tc, check_config_and_print);
	tcase_add_test(tc, arguments_and_macros);
	tcase_add_test(tc, argument_mistakes);
	tcase_add_test(tc, arguments_checked_against_config);
	tcase_add_test(tc, action_lines);
	tcase_add_test(tc, print_steps);
	suite_add_tcase(s, tc);
	return s;
}
