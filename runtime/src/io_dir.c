/*
 * io_dir.c - the dir source's partitions: the regular files of a
 * directory whose names match a glob (fnmatch), in name order (byte
 * order, as Bytewax sorts partition names). Errors as Bytewax's
 * DirSource: a missing directory or a file that is not a directory.
 */
#include "io.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t flowi_dir_list(flow_rt *rt, const char *dir, const char *glob, char ***names)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        flow_data_error(rt, dir, 0, "cannot open directory: %s", strerror(errno));
    if (!S_ISDIR(st.st_mode))
        flow_data_error(rt, dir, 0, "cannot open directory: %s", strerror(ENOTDIR));
    DIR *d = opendir(dir);
    if (!d)
        flow_data_error(rt, dir, 0, "cannot open directory: %s", strerror(errno));
    char **v = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    size_t dlen = strlen(dir);
    bool slash = dlen > 0 && dir[dlen - 1] == '/';
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' && (glob[0] != '.'))
            continue;    /* hidden files, ".", ".." */
        if (fnmatch(glob, e->d_name, FNM_PERIOD) != 0)
            continue;
        size_t len = dlen + 1 + strlen(e->d_name) + 1;
        char *path = flow_alloc(len);
        snprintf(path, len, "%s%s%s", dir, slash ? "" : "/", e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            flow_free(path, len);
            continue;
        }
        if (n == cap)
            flow_vec_grow((void **)&v, &cap, sizeof *v, n + 1);
        v[n++] = path;
    }
    closedir(d);
    if (n > 1)    /* qsort of no array (NULL) is undefined */
        qsort(v, n, sizeof *v, by_name);
    /* the caller frees the array with n elements */
    if (cap > n) {
        v = flow_realloc(v, cap * sizeof *v, (n ? n : 0) * sizeof *v);
    }
    *names = v;
    return n;
}
