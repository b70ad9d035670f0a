/* test_tui_format.c: the console's pure helpers: SLA cells, the queue's
 * column layout, the compose file's marker and quoting, and themes. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/tui/format.h"
#include "../../src/tui/theme.h"
#include "config.h"
#include "testlib.h"
#include "util.h"

START_TEST(sla_cells)
{
	char buf[32];
	const int64_t now = 1000000;
	ck_assert_int_eq(sla_cell(0, now, 3600, 25, buf, sizeof buf), SLA_NONE);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(sla_cell(now + 3 * 3600, now, 8 * 3600, 25, buf, sizeof buf), SLA_OK);
	ck_assert_str_eq(buf, "3h");
	/* 25% of 8h is 2h: exactly 2h left is near. */
	ck_assert_int_eq(sla_cell(now + 2 * 3600, now, 8 * 3600, 25, buf, sizeof buf), SLA_NEAR);
	ck_assert_int_eq(sla_cell(now + 2 * 3600 + 1, now, 8 * 3600, 25, buf, sizeof buf), SLA_OK);
	ck_assert_int_eq(sla_cell(now + 45 * 60, now, 8 * 3600, 25, buf, sizeof buf), SLA_NEAR);
	ck_assert_str_eq(buf, "45m");
	ck_assert_int_eq(sla_cell(now - 2 * 86400, now, 8 * 3600, 25, buf, sizeof buf), SLA_PAST);
	ck_assert_str_eq(buf, "-2d");
	ck_assert_int_eq(sla_cell(now, now, 3600, 25, buf, sizeof buf), SLA_NEAR);
	/* Without a target, an hour is the yardstick. */
	ck_assert_int_eq(sla_cell(now + 600, now, 0, 25, buf, sizeof buf), SLA_NEAR);
}
END_TEST

START_TEST(labels)
{
	ck_assert_str_eq(priority_label(PRIO_URGENT), "URG");
	ck_assert_str_eq(priority_label(PRIO_LOW), "low");
	ck_assert_str_eq(status_label(ST_ON_HOLD), "hold");
	ck_assert_str_eq(status_label(ST_PENDING), "pend");
	ck_assert_str_eq(status_label((enum status)99), "?");
}
END_TEST

static int right_edge(const struct qcols *c)
{
	int edge = 0;
	for (int i = 0; i < QC__COUNT; i++)
		if (c->shown[i] && c->x[i] + c->w[i] > edge)
			edge = c->x[i] + c->w[i];
	return edge;
}

START_TEST(columns)
{
	struct qcols c;
	queue_columns(200, 4, &c);
	for (int i = 0; i < QC__COUNT; i++)
		ck_assert_msg(c.shown[i], "column %d hidden at 200", i);
	ck_assert_int_eq(right_edge(&c), 200);
	ck_assert_int_eq(c.x[QC_ID], 0);
	ck_assert_int_eq(c.w[QC_ID], 4);
	ck_assert(c.x[QC_SUBJECT] > c.x[QC_CUSTOMER]);

	queue_columns(80, 3, &c);
	ck_assert(c.shown[QC_SLA] && c.shown[QC_STATUS] && c.shown[QC_PRIO]);
	ck_assert(c.shown[QC_CUSTOMER]);
	ck_assert(!c.shown[QC_TAGS]);
	ck_assert_int_eq(right_edge(&c), 80);
	ck_assert(c.w[QC_SUBJECT] >= 24);

	/* Tiny: the number and the subject, and what else fits. */
	queue_columns(30, 3, &c);
	ck_assert(c.shown[QC_ID] && c.shown[QC_SUBJECT]);
	ck_assert(!c.shown[QC_CUSTOMER] && !c.shown[QC_ASSIGNEE]);
	ck_assert(right_edge(&c) <= 30);
	ck_assert(c.w[QC_SUBJECT] >= 8);

	queue_columns(5, 7, &c);
	ck_assert(c.shown[QC_ID] && c.shown[QC_SUBJECT]);
	ck_assert(c.w[QC_SUBJECT] >= 1);
}
END_TEST

START_TEST(compose_marker_strip)
{
	char *built = compose_build("Hi Ann,\n\nThanks.", "Reply to #3\n> quoted");
	ck_assert_str_eq(built, "Hi Ann,\n\nThanks.\n\n"
				"-- everything below this line is removed --\n"
				"Reply to #3\n> quoted\n");
	char *body = compose_strip(built);
	ck_assert_str_eq(body, "Hi Ann,\n\nThanks.");
	free(body);
	free(built);

	/* An editor's CR and trailing spaces on the marker line. */
	body = compose_strip("text\r\n-- everything below this line is removed --  \r\n> x\n");
	ck_assert_str_eq(body, "text");
	free(body);
	/* The marker deleted: everything is the body. */
	body = compose_strip("all of it\n> including this\n\n\n");
	ck_assert_str_eq(body, "all of it\n> including this");
	free(body);
	/* Only a line that is the marker cuts, not one quoting it. */
	body = compose_strip("a\n> -- everything below this line is removed --\nb\n");
	ck_assert_str_eq(body, "a\n> -- everything below this line is removed --\nb");
	free(body);
	body = compose_strip("-- everything below this line is removed --\nx");
	ck_assert_str_eq(body, "");
	free(body);
	body = compose_strip(NULL);
	ck_assert_str_eq(body, "");
	free(body);
}
END_TEST

START_TEST(quoting)
{
	char *q = compose_quote("one\n\ntwo");
	ck_assert_str_eq(q, "> one\n>\n> two\n");
	free(q);
	q = compose_quote("");
	ck_assert_str_eq(q, "");
	free(q);
}
END_TEST

static void expect_theme_error(const char *text, const char *msg)
{
	struct theme t;
	struct derr e = {0};
	theme_builtin(&t);
	ck_assert_int_eq(theme_load_string(&t, text, "t.yaml", &e), DESK_EINVAL);
	ck_assert_str_eq(e.msg, msg);
}

START_TEST(themes)
{
	struct theme t;
	struct derr e = {0};
	theme_builtin(&t);
	ck_assert_int_eq(theme_load_string(&t,
					   "selected: {fg: black, bg: 214, attrs: [bold, underline]}\n"
					   "error: {fg: bright-red}\n"
					   "normal:\n",
					   "t.yaml", &e),
			 DESK_OK);
	ck_assert_int_eq(t.el[EL_SELECTED].fg, 0);
	ck_assert_int_eq(t.el[EL_SELECTED].bg, 214);
	ck_assert_uint_eq(t.el[EL_SELECTED].attrs, TA_BOLD | TA_UNDERLINE);
	ck_assert_int_eq(t.el[EL_ERROR].fg, 9);
	ck_assert_int_eq(t.el[EL_NORMAL].fg, C_UNSET);
	/* Left out: no colour. */
	ck_assert_int_eq(t.el[EL_STATUSBAR].fg, C_UNSET);
	ck_assert_uint_eq(t.el[EL_STATUSBAR].attrs, 0);

	expect_theme_error("selectd: {fg: red}\n",
			   "t.yaml:1:1: unknown key \"selectd\" in the theme; expected one of: "
			   "normal, border, title, title.focus, columns, selected, "
			   "selected.unfocused, statusbar, info, error, prompt, sla.ok, sla.near, "
			   "sla.past, priority.urgent, priority.high, priority.normal, priority.low, "
			   "state.new, state.done, draft, unseen, message.customer, message.reply, message.note, "
			   "message.system, note.body, quote, label, help.key, help.section, picker, "
			   "picker.border");
	expect_theme_error("error: {fg: pink}\n",
			   "t.yaml:1:13: expected a colour (default, black, red, green, yellow, "
			   "blue, magenta, cyan, white, bright-black .. bright-white, or 0-255), got "
			   "\"pink\"");
	expect_theme_error("error: {bg: 256}\n",
			   "t.yaml:1:13: expected a colour (default, black, red, green, yellow, "
			   "blue, magenta, cyan, white, bright-black .. bright-white, or 0-255), got "
			   "\"256\"");
	expect_theme_error("error: {fg: red, attrs: [bold, shiny]}\n",
			   "t.yaml:1:32: expected bold, dim, underline, reverse, standout, blink or "
			   "italic, got \"shiny\"");
	expect_theme_error("error: {colour: red}\n",
			   "t.yaml:1:9: unknown key \"colour\" in error; expected one of: fg, bg, "
			   "attrs");
	expect_theme_error("- a list\n", "t.yaml:1:1: expected a mapping of elements to styles, got a sequence");
}
END_TEST

START_TEST(colour_fallback)
{
	ck_assert_int_eq(color_to_8(-1), -1);
	ck_assert_int_eq(color_to_8(3), 3);
	ck_assert_int_eq(color_to_8(9), 1);	 /* bright red */
	ck_assert_int_eq(color_to_8(196), 1);	 /* red */
	ck_assert_int_eq(color_to_8(46), 2);	 /* green */
	ck_assert_int_eq(color_to_8(21), 4);	 /* blue */
	ck_assert_int_eq(color_to_8(226), 3);	 /* yellow */
	ck_assert_int_eq(color_to_8(16), 0);	 /* black */
	ck_assert_int_eq(color_to_8(231), 7);	 /* white */
	ck_assert_int_eq(color_to_8(232), 0);	 /* dark grey */
	ck_assert_int_eq(color_to_8(255), 7);	 /* light grey */
}
END_TEST

START_TEST(shipped_themes)
{
	const char *names[] = {"default", "light", "high-contrast", "mono"};
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		char *rel = xasprintf("../../themes/%s.yaml", names[i]);
		char *path = test_data(rel);
		struct theme t;
		struct derr e = {0};
		ck_assert_msg(theme_load(&t, path, &e) == DESK_OK, "%s", e.msg);
		/* Every element is styled in every shipped theme. */
		for (int el = 0; el < EL__COUNT; el++) {
			bool mono = strcmp(names[i], "mono") == 0;
			ck_assert_msg(mono || t.el[el].fg != C_UNSET || t.el[el].bg != C_UNSET ||
					      t.el[el].attrs || el == EL_NORMAL ||
					      el == EL_PRIO_NORMAL || el == EL_PICKER || el == EL_SLA_OK,
				      "%s: %s unstyled", names[i], element_names[el]);
			if (mono)
				ck_assert(t.el[el].fg == C_UNSET && t.el[el].bg == C_UNSET);
		}
		free(path);
		free(rel);
	}
	/* default.yaml says what the built-in default is. */
	char *path = test_data("../../themes/default.yaml");
	struct theme file, builtin;
	struct derr e = {0};
	ck_assert_int_eq(theme_load(&file, path, &e), DESK_OK);
	theme_builtin(&builtin);
	for (int el = 0; el < EL__COUNT; el++) {
		short ff = file.el[el].fg == C_UNSET ? C_DEF : file.el[el].fg;
		short fb = file.el[el].bg == C_UNSET ? C_DEF : file.el[el].bg;
		ck_assert_msg(ff == builtin.el[el].fg && fb == builtin.el[el].bg &&
				      file.el[el].attrs == builtin.el[el].attrs,
			      "default.yaml and the built-in differ on %s", element_names[el]);
	}
	free(path);
}
END_TEST

/* --- readable on any background ------------------------------------------ */

/* xterm's colours: the 16 basic ones, the 6x6x6 cube, the grey ramp. */
static void xterm_rgb(int c, double rgb[3])
{
	static const int basic[16][3] = {
		{0, 0, 0},       {205, 0, 0},   {0, 205, 0},   {205, 205, 0},
		{0, 0, 238},     {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
		{127, 127, 127}, {255, 0, 0},   {0, 255, 0},   {255, 255, 0},
		{92, 92, 255},   {255, 0, 255}, {0, 255, 255}, {255, 255, 255},
	};
	static const int level[6] = {0, 95, 135, 175, 215, 255};
	int v[3];
	if (c < 16) {
		memcpy(v, basic[c], sizeof v);
	} else if (c < 232) {
		v[0] = level[(c - 16) / 36];
		v[1] = level[(c - 16) / 6 % 6];
		v[2] = level[(c - 16) % 6];
	} else {
		v[0] = v[1] = v[2] = 8 + 10 * (c - 232);
	}
	for (int i = 0; i < 3; i++)
		rgb[i] = v[i];
}

/* WCAG relative luminance and contrast ratio. */
static double luminance(const double rgb[3])
{
	double l[3];
	for (int i = 0; i < 3; i++) {
		double s = rgb[i] / 255.0;
		l[i] = s <= 0.03928 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4);
	}
	return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
}

static double contrast(const double a[3], const double b[3])
{
	double la = luminance(a), lb = luminance(b);
	return (fmax(la, lb) + 0.05) / (fmin(la, lb) + 0.05);
}

/* A theme colour as a terminal with `colors` colours shows it. */
static void shown_rgb(short c, int colors, double rgb[3])
{
	xterm_rgb(colors >= 256 || c < 8 ? c : color_to_8(c), rgb);
}

/* Every coloured element of the default and light themes keeps a
 * contrast of 3:1 (WCAG's floor for bold and large text) with 8 and 256
 * colours, on a black and a white terminal background for the default
 * theme (it uses the terminal's own) and on white for the light one. */
START_TEST(themes_readable)
{
	static const struct {
		const char *name;
		bool dark_too;
	} checked[] = {{"default", true}, {"light", false}};
	static const double black[3] = {0, 0, 0}, white[3] = {255, 255, 255};
	for (size_t i = 0; i < ARRAY_LEN(checked); i++) {
		char *rel = xasprintf("../../themes/%s.yaml", checked[i].name);
		char *path = test_data(rel);
		struct theme t;
		struct derr e = {0};
		ck_assert_msg(theme_load(&t, path, &e) == DESK_OK, "%s", e.msg);
		for (int colors = 8; colors <= 256; colors += 248) {
			for (int dark = 0; dark <= (int)checked[i].dark_too; dark++) {
				for (int el = 0; el < EL__COUNT; el++) {
					const struct style *st = &t.el[el];
					if (st->fg < 0) /* the terminal's own text colour */
						continue;
					double fg[3], bg[3];
					shown_rgb(st->fg, colors, fg);
					if (st->bg >= 0)
						shown_rgb(st->bg, colors, bg);
					else
						memcpy(bg, dark ? black : white, sizeof bg);
					double r = contrast(fg, bg);
					ck_assert_msg(r >= 3.0,
						      "%s theme, %d colours, %s background: %s has "
						      "contrast %.2f",
						      checked[i].name, colors, dark ? "dark" : "light",
						      element_names[el], r);
				}
			}
		}
		free(path);
		free(rel);
	}
}
END_TEST

START_TEST(theme_lookup)
{
	struct config c;
	config_defaults(&c);
	struct derr e = {0};
	char *path = NULL;
	c.themes_dir = test_data("../../themes");
	free(c.theme);
	c.theme = xstrdup("light");
	ck_assert_int_eq(theme_find(&c, &path, &e), DESK_OK);
	ck_assert(strstr(path, "themes/light.yaml"));
	free(path);
	free(c.theme);
	c.theme = xstrdup("nope");
	ck_assert_int_eq(theme_find(&c, &path, &e), DESK_ENOTFOUND);
	ck_assert(strstr(e.msg, "theme \"nope\" not found (looked for "));
	ck_assert_ptr_null(path);
	free(c.theme);
	c.theme = xstrdup("/some/where/mine.yaml");
	ck_assert_int_eq(theme_find(&c, &path, &e), DESK_OK);
	ck_assert_str_eq(path, "/some/where/mine.yaml");
	free(path);
	/* "default" with no file anywhere: the built-in. */
	free(c.theme);
	c.theme = xstrdup("default");
	free(c.themes_dir);
	c.themes_dir = xstrdup("/nonexistent");
	ck_assert_int_eq(theme_find(&c, &path, &e), DESK_OK);
	ck_assert_ptr_null(path);
	config_free(&c);
}
END_TEST

Suite *suite_tui_format(void)
{
	Suite *s = suite_create("tui_format");
	TCase *tc = tcase_create("format");
	tcase_add_test(tc, sla_cells);
	tcase_add_test(tc, labels);
	tcase_add_test(tc, columns);
	tcase_add_test(tc, compose_marker_strip);
	tcase_add_test(tc, quoting);
	tcase_add_test(tc, themes);
	tcase_add_test(tc, colour_fallback);
	tcase_add_test(tc, shipped_themes);
	tcase_add_test(tc, themes_readable);
	tcase_add_test(tc, theme_lookup);
	suite_add_tcase(s, tc);
	return s;
}
