/*
 * posix_mq: a small Node-API binding for Linux POSIX message queues (see mq_overview(7)), used
 * by kernel-lib/src/mqueue/. The TypeScript side owns the policy (waiting calls in call order,
 * timeouts, aborts, closing); this file only makes the system calls and reports readiness.
 *
 *   open(name, flags, mode, maxmsg, msgsize) -> handle    mq_open, always O_NONBLOCK
 *   send(handle, bytes, priority) -> boolean              mq_send; false when the queue is full
 *   receive(handle, buffer) -> {size, priority} | null    mq_receive; null when it is empty
 *   getattr(handle) -> {maxmsg, msgsize, curmsgs}         mq_getattr
 *   watch(handle, events, listener)                       uv_poll on the descriptor
 *   close(handle)                                         stop watching, mq_close; idempotent
 *   unlink(name)                                          mq_unlink
 *   fd(handle) -> number, prioMax() -> number
 *
 * Why poll and not blocking calls: on Linux an mqd_t is a file descriptor that epoll can watch
 * (readable = not empty, writable = not full). A blocking mq_send/mq_receive would have to run
 * on one of libuv's 4 thread-pool threads and could park it forever, starving fs and dns; a
 * poll handle costs no thread, and each worker thread polls on its own event loop
 * (napi_get_uv_event_loop gives the loop of the calling thread).
 *
 * Errors: every failing system call throws an Error whose `code` is the errno name ("EMSGSIZE"),
 * `errno` the number and `syscall` the call ("mq_send"); kernel-lib turns these into
 * ChannelErrors. EAGAIN from send/receive is not an error: it is the false/null result.
 *
 * Lifetime: a handle owns the descriptor and, once watched, a uv_poll_t. Three paths release
 * them: close() from JavaScript, the garbage collector (finalizer), and the teardown of the
 * thread's environment (an async cleanup hook: a worker that exits with an open queue must
 * close its poll handle before its event loop closes, or Node aborts the process).
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>

#ifndef __linux__
#error "posix_mq needs Linux: elsewhere an mqd_t is not a pollable file descriptor"
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bits of open()'s `flags` argument; kernel-lib/src/mqueue/binding.ts uses the same values. */
#define OPEN_READ 1
#define OPEN_WRITE 2
#define OPEN_CREATE 4
#define OPEN_EXCLUSIVE 8

#define CLOSED_MQD ((mqd_t)-1)

typedef struct mq_handle {
  napi_env env;
  mqd_t mqd;        /* CLOSED_MQD once closed */
  uv_poll_t* poll;  /* made by the first watch(); freed in on_poll_closed */
  int watching;     /* the events the poll is started for; 0 while stopped */
  int poll_closing; /* uv_close was called, on_poll_closed has not run yet */
  int finalized;    /* the JavaScript object was garbage-collected */
  /* Weak reference to the JavaScript handle, made strong while watching: the poll callback
   * needs the object, so it must not be collected while the poll can still call back. */
  napi_ref self;
  napi_ref listener; /* function(events, errorCode) called on readiness */
  napi_async_context async_context;
  /* Registered while the descriptor or the poll handle is live (see the header comment). */
  napi_async_cleanup_hook_handle cleanup_hook;
} mq_handle;

/* ---- errors ---------------------------------------------------------------------------- */

/* Throws an Error for `err` (a positive errno) raised by `syscall`; returns NULL for `return`. */
static napi_value throw_errno(napi_env env, const char* syscall, int err) {
  char name[64];
  char text[128];
  char message[256];
  napi_value code_value, message_value, error, errno_value, syscall_value;
  /* libuv's names and texts: thread-safe (strerror is not, and workers call this too). */
  uv_err_name_r(-err, name, sizeof name);
  uv_strerror_r(-err, text, sizeof text);
  snprintf(message, sizeof message, "%s failed: %s (%s)", syscall, text, name);
  if (napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code_value) != napi_ok ||
      napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &message_value) != napi_ok ||
      napi_create_error(env, code_value, message_value, &error) != napi_ok ||
      napi_create_int32(env, err, &errno_value) != napi_ok ||
      napi_set_named_property(env, error, "errno", errno_value) != napi_ok ||
      napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &syscall_value) != napi_ok ||
      napi_set_named_property(env, error, "syscall", syscall_value) != napi_ok) {
    napi_throw_error(env, name, message); /* a plainer error is better than none */
    return NULL;
  }
  napi_throw(env, error);
  return NULL;
}

/* Throws for a failed Node-API call, unless that call already left an exception pending. */
static napi_value throw_napi_failure(napi_env env, const char* what) {
  bool pending = false;
  const napi_extended_error_info* info = NULL;
  char message[256];
  napi_is_exception_pending(env, &pending);
  if (pending) return NULL;
  napi_get_last_error_info(env, &info);
  snprintf(message, sizeof message, "%s: %s", what,
           info != NULL && info->error_message != NULL ? info->error_message : "Node-API call failed");
  napi_throw_error(env, "EADDON", message);
  return NULL;
}

#define NAPI_CALL(env, call)                                        \
  do {                                                              \
    if ((call) != napi_ok) return throw_napi_failure((env), #call); \
  } while (0)

static napi_value throw_type_error(napi_env env, const char* message) {
  napi_throw_type_error(env, "EINVAL", message);
  return NULL;
}

/* ---- argument helpers ------------------------------------------------------------------ */

static napi_value get_args(napi_env env, napi_callback_info info, size_t expected,
                           napi_value* argv) {
  size_t argc = expected;
  napi_value this_arg;
  NAPI_CALL(env, napi_get_cb_info(env, info, &argc, argv, &this_arg, NULL));
  if (argc < expected) return throw_type_error(env, "posix_mq: too few arguments");
  return this_arg;
}

/* The handle in `value`, or NULL with a TypeError thrown. */
static mq_handle* unwrap_handle(napi_env env, napi_value value) {
  void* data = NULL;
  if (napi_unwrap(env, value, &data) != napi_ok || data == NULL) {
    throw_type_error(env, "posix_mq: expected a queue handle");
    return NULL;
  }
  return (mq_handle*)data;
}

/* The bytes of a Uint8Array (a Buffer is one), or false with a TypeError thrown. */
static bool get_bytes(napi_env env, napi_value value, void** data, size_t* length) {
  bool is_typedarray = false;
  napi_typedarray_type type;
  napi_value arraybuffer;
  size_t offset;
  if (napi_is_typedarray(env, value, &is_typedarray) != napi_ok || !is_typedarray ||
      napi_get_typedarray_info(env, value, &type, length, data, &arraybuffer, &offset) !=
          napi_ok ||
      type != napi_uint8_array) {
    throw_type_error(env, "posix_mq: expected a Uint8Array");
    return false;
  }
  return true;
}

/* A queue name as a C string; false with an error thrown when it cannot be one. */
static bool get_name(napi_env env, napi_value value, char* name, size_t size) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, name, size, &length) != napi_ok) {
    throw_type_error(env, "posix_mq: expected the queue name as a string");
    return false;
  }
  /* The copy was cut short: the kernel would refuse the name anyway. */
  if (length >= size - 1) {
    throw_errno(env, "mq_open", ENAMETOOLONG);
    return false;
  }
  return true;
}

/* ---- releasing ------------------------------------------------------------------------- */

static void on_poll_closed(uv_handle_t* poll) {
  mq_handle* h = (mq_handle*)poll->data;
  free(poll);
  h->poll = NULL;
  h->poll_closing = 0;
  if (h->cleanup_hook != NULL) {
    napi_remove_async_cleanup_hook(h->cleanup_hook);
    h->cleanup_hook = NULL;
  }
  /* The finalizer ran while the poll was closing and left the memory to us. */
  if (h->finalized) free(h);
}

/*
 * Stops watching and closes the descriptor. `env_alive` is false during the environment's
 * teardown, where no Node-API call on references or async contexts is made (the runtime frees
 * them itself). Returns 0 or the errno of mq_close.
 */
static int release_handle(mq_handle* h, bool env_alive) {
  int err = 0;
  if (h->mqd == CLOSED_MQD) return 0;
  if (h->poll != NULL) {
    /* The poll must stop before mq_close: epoll would otherwise keep a registration for a
     * descriptor number that the next open() may reuse. uv_poll_stop removes it at once;
     * the uv_poll_t memory lives until its close callback. */
    uv_poll_stop(h->poll);
    h->poll_closing = 1;
    uv_close((uv_handle_t*)h->poll, on_poll_closed);
  }
  if (env_alive) {
    if (h->watching) napi_reference_unref(h->env, h->self, NULL);
    if (h->listener != NULL) napi_delete_reference(h->env, h->listener);
    if (h->async_context != NULL) napi_async_destroy(h->env, h->async_context);
    h->listener = NULL;
    h->async_context = NULL;
  }
  h->watching = 0;
  /* close(2) on Linux releases the descriptor even when it reports EINTR: never retry. */
  if (mq_close(h->mqd) == -1 && errno != EINTR) err = errno;
  h->mqd = CLOSED_MQD;
  if (h->poll == NULL && h->cleanup_hook != NULL) {
    napi_remove_async_cleanup_hook(h->cleanup_hook);
    h->cleanup_hook = NULL;
  }
  return err;
}

/* The thread's environment is being torn down with this queue still open. */
static void on_env_teardown(napi_async_cleanup_hook_handle hook, void* data) {
  mq_handle* h = (mq_handle*)data;
  (void)hook;
  release_handle(h, false);
  /* A close() just before teardown may have left only the poll closing: on_poll_closed
   * removes the hook then, and Node runs the loop until it has. */
}

static void on_finalize(napi_env env, void* data, void* hint) {
  mq_handle* h = (mq_handle*)data;
  (void)hint;
  /* Not watching here (a watched handle is strongly referenced), so only an unclosed
   * descriptor can remain: a program that forgot close(). Release it rather than leak it. */
  release_handle(h, true);
  if (h->self != NULL) napi_delete_reference(env, h->self);
  h->self = NULL;
  h->finalized = 1;
  if (!h->poll_closing) free(h);
}

/* ---- open, unlink ---------------------------------------------------------------------- */

static napi_value mq_open_js(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  char name[NAME_MAX + 2]; /* the leading '/' plus NAME_MAX bytes */
  int32_t flags, mode, maxmsg, msgsize;
  int oflag = O_NONBLOCK; /* never block the thread; readiness comes from watch() */
  struct mq_attr attr;
  struct mq_attr* attrp = NULL;
  mqd_t mqd;
  mq_handle* h;
  napi_value handle, resource_name;
  napi_status status;

  if (get_args(env, info, 5, argv) == NULL) return NULL;
  if (!get_name(env, argv[0], name, sizeof name)) return NULL;
  NAPI_CALL(env, napi_get_value_int32(env, argv[1], &flags));
  NAPI_CALL(env, napi_get_value_int32(env, argv[2], &mode));
  NAPI_CALL(env, napi_get_value_int32(env, argv[3], &maxmsg));
  NAPI_CALL(env, napi_get_value_int32(env, argv[4], &msgsize));

  switch (flags & (OPEN_READ | OPEN_WRITE)) {
    case OPEN_READ: oflag |= O_RDONLY; break;
    case OPEN_WRITE: oflag |= O_WRONLY; break;
    case OPEN_READ | OPEN_WRITE: oflag |= O_RDWR; break;
    default: return throw_type_error(env, "posix_mq: open needs read and/or write access");
  }
  if (flags & OPEN_CREATE) {
    oflag |= O_CREAT;
    if (flags & OPEN_EXCLUSIVE) oflag |= O_EXCL;
    /* Both sizes or neither: with no attributes the kernel uses msg_default/msgsize_default. */
    if (maxmsg > 0 || msgsize > 0) {
      memset(&attr, 0, sizeof attr);
      attr.mq_maxmsg = maxmsg;
      attr.mq_msgsize = msgsize;
      attrp = &attr;
    }
  }
  /* glibc adds O_CLOEXEC itself, so child processes do not inherit the descriptor. */
  do {
    mqd = mq_open(name, oflag, (mode_t)mode, attrp);
  } while (mqd == CLOSED_MQD && errno == EINTR);
  if (mqd == CLOSED_MQD) return throw_errno(env, "mq_open", errno);

  h = (mq_handle*)calloc(1, sizeof *h);
  if (h == NULL) {
    mq_close(mqd);
    return throw_errno(env, "mq_open", ENOMEM);
  }
  h->env = env;
  h->mqd = mqd;

  status = napi_create_object(env, &handle);
  if (status == napi_ok) {
    status = napi_create_string_utf8(env, "PosixMessageQueue", NAPI_AUTO_LENGTH, &resource_name);
  }
  if (status == napi_ok) status = napi_async_init(env, handle, resource_name, &h->async_context);
  if (status == napi_ok) {
    status = napi_add_async_cleanup_hook(env, on_env_teardown, h, &h->cleanup_hook);
  }
  if (status == napi_ok) status = napi_wrap(env, handle, h, on_finalize, NULL, &h->self);
  if (status != napi_ok) {
    /* Not wrapped, so no finalizer will run: undo everything here. */
    release_handle(h, true);
    free(h);
    return throw_napi_failure(env, "posix_mq open");
  }
  return handle;
}

static napi_value mq_unlink_js(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  char name[NAME_MAX + 2];
  if (get_args(env, info, 1, argv) == NULL) return NULL;
  if (!get_name(env, argv[0], name, sizeof name)) return NULL;
  if (mq_unlink(name) == -1) return throw_errno(env, "mq_unlink", errno);
  return NULL;
}

/* ---- send, receive, attributes --------------------------------------------------------- */

static napi_value mq_send_js(napi_env env, napi_callback_info info) {
  napi_value argv[3], result;
  mq_handle* h;
  void* data;
  size_t length;
  uint32_t priority;
  int rc;

  if (get_args(env, info, 3, argv) == NULL) return NULL;
  if ((h = unwrap_handle(env, argv[0])) == NULL) return NULL;
  if (!get_bytes(env, argv[1], &data, &length)) return NULL;
  NAPI_CALL(env, napi_get_value_uint32(env, argv[2], &priority));
  if (h->mqd == CLOSED_MQD) return throw_errno(env, "mq_send", EBADF);
  do {
    rc = mq_send(h->mqd, (const char*)data, length, priority);
  } while (rc == -1 && errno == EINTR);
  if (rc == -1 && errno != EAGAIN) return throw_errno(env, "mq_send", errno);
  NAPI_CALL(env, napi_get_boolean(env, rc == 0, &result));
  return result;
}

static napi_value mq_receive_js(napi_env env, napi_callback_info info) {
  napi_value argv[2], result, size_value, priority_value;
  mq_handle* h;
  void* data;
  size_t length;
  unsigned int priority = 0;
  ssize_t size;

  if (get_args(env, info, 2, argv) == NULL) return NULL;
  if ((h = unwrap_handle(env, argv[0])) == NULL) return NULL;
  if (!get_bytes(env, argv[1], &data, &length)) return NULL;
  if (h->mqd == CLOSED_MQD) return throw_errno(env, "mq_receive", EBADF);
  do {
    size = mq_receive(h->mqd, (char*)data, length, &priority);
  } while (size == -1 && errno == EINTR);
  if (size == -1) {
    if (errno != EAGAIN) return throw_errno(env, "mq_receive", errno);
    NAPI_CALL(env, napi_get_null(env, &result));
    return result;
  }
  NAPI_CALL(env, napi_create_object(env, &result));
  NAPI_CALL(env, napi_create_double(env, (double)size, &size_value));
  NAPI_CALL(env, napi_create_uint32(env, priority, &priority_value));
  NAPI_CALL(env, napi_set_named_property(env, result, "size", size_value));
  NAPI_CALL(env, napi_set_named_property(env, result, "priority", priority_value));
  return result;
}

static napi_value mq_getattr_js(napi_env env, napi_callback_info info) {
  napi_value argv[1], result, value;
  mq_handle* h;
  struct mq_attr attr;

  if (get_args(env, info, 1, argv) == NULL) return NULL;
  if ((h = unwrap_handle(env, argv[0])) == NULL) return NULL;
  if (h->mqd == CLOSED_MQD) return throw_errno(env, "mq_getattr", EBADF);
  if (mq_getattr(h->mqd, &attr) == -1) return throw_errno(env, "mq_getattr", errno);
  NAPI_CALL(env, napi_create_object(env, &result));
  NAPI_CALL(env, napi_create_double(env, (double)attr.mq_maxmsg, &value));
  NAPI_CALL(env, napi_set_named_property(env, result, "maxmsg", value));
  NAPI_CALL(env, napi_create_double(env, (double)attr.mq_msgsize, &value));
  NAPI_CALL(env, napi_set_named_property(env, result, "msgsize", value));
  NAPI_CALL(env, napi_create_double(env, (double)attr.mq_curmsgs, &value));
  NAPI_CALL(env, napi_set_named_property(env, result, "curmsgs", value));
  return result;
}

/* ---- readiness ------------------------------------------------------------------------- */

static void on_poll(uv_poll_t* poll, int status, int events) {
  mq_handle* h = (mq_handle*)poll->data;
  napi_env env = h->env;
  napi_handle_scope scope;
  napi_value self, listener, argv[2], result, exception;
  char name[64];

  if (h->mqd == CLOSED_MQD || h->listener == NULL) return;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  if (napi_get_reference_value(env, h->self, &self) == napi_ok && self != NULL &&
      napi_get_reference_value(env, h->listener, &listener) == napi_ok && listener != NULL &&
      napi_create_int32(env, status < 0 ? 0 : events, &argv[0]) == napi_ok) {
    if (status < 0) {
      uv_err_name_r(status, name, sizeof name);
      napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &argv[1]);
    } else {
      napi_get_undefined(env, &argv[1]);
    }
    /* make_callback, not call_function: it runs the microtasks afterwards, so promises the
     * listener resolves settle now. The listener may close the handle; `h` is not touched
     * after the call (its memory outlives it anyway: freed only after uv_close completes). */
    if (napi_make_callback(env, h->async_context, self, listener, 2, argv, &result) ==
            napi_pending_exception &&
        napi_get_and_clear_last_exception(env, &exception) == napi_ok) {
      napi_fatal_exception(env, exception);
    }
  }
  napi_close_handle_scope(env, scope);
}

static napi_value mq_watch_js(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  mq_handle* h;
  int32_t events;
  napi_valuetype listener_type;
  uv_loop_t* loop;
  int rc;

  if (get_args(env, info, 3, argv) == NULL) return NULL;
  if ((h = unwrap_handle(env, argv[0])) == NULL) return NULL;
  NAPI_CALL(env, napi_get_value_int32(env, argv[1], &events));
  NAPI_CALL(env, napi_typeof(env, argv[2], &listener_type));
  if (h->mqd == CLOSED_MQD) return throw_errno(env, "uv_poll_start", EBADF);
  if (events & ~(UV_READABLE | UV_WRITABLE)) return throw_type_error(env, "posix_mq: bad events");

  if (listener_type == napi_function) {
    if (h->listener != NULL) NAPI_CALL(env, napi_delete_reference(env, h->listener));
    h->listener = NULL;
    NAPI_CALL(env, napi_create_reference(env, argv[2], 1, &h->listener));
  }
  if (events == 0) {
    if (h->watching) {
      uv_poll_stop(h->poll);
      h->watching = 0;
      NAPI_CALL(env, napi_reference_unref(env, h->self, NULL));
    }
    return NULL;
  }
  if (h->listener == NULL) return throw_type_error(env, "posix_mq: watch needs a listener");
  if (h->poll == NULL) {
    NAPI_CALL(env, napi_get_uv_event_loop(env, &loop));
    h->poll = (uv_poll_t*)malloc(sizeof *h->poll);
    if (h->poll == NULL) return throw_errno(env, "uv_poll_init", ENOMEM);
    rc = uv_poll_init(loop, h->poll, h->mqd);
    if (rc != 0) {
      free(h->poll);
      h->poll = NULL;
      return throw_errno(env, "uv_poll_init", -rc);
    }
    h->poll->data = h;
  }
  rc = uv_poll_start(h->poll, events, on_poll);
  if (rc != 0) return throw_errno(env, "uv_poll_start", -rc);
  if (!h->watching) NAPI_CALL(env, napi_reference_ref(env, h->self, NULL));
  h->watching = events;
  return NULL;
}

static napi_value mq_close_js(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  mq_handle* h;
  int err;
  if (get_args(env, info, 1, argv) == NULL) return NULL;
  if ((h = unwrap_handle(env, argv[0])) == NULL) return NULL;
  err = release_handle(h, true);
  if (err != 0) return throw_errno(env, "mq_close", err);
  return NULL;
}

static napi_value mq_fd_js(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  mq_handle* h;
  if (get_args(env, info, 1, argv) == NULL) return NULL;
  if ((h = unwrap_handle(env, argv[0])) == NULL) return NULL;
  NAPI_CALL(env, napi_create_int32(env, h->mqd == CLOSED_MQD ? -1 : (int32_t)h->mqd, &result));
  return result;
}

static napi_value mq_prio_max_js(napi_env env, napi_callback_info info) {
  napi_value result;
  long value;
  (void)info;
  errno = 0;
  value = sysconf(_SC_MQ_PRIO_MAX);
  /* -1 with errno 0 means "no limit"; POSIX promises at least 32 where there is one. */
  if (value == -1 && errno != 0) return throw_errno(env, "sysconf", errno);
  NAPI_CALL(env, napi_create_double(env, value == -1 ? 32768.0 : (double)value, &result));
  return result;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor functions[] = {
      {"open", NULL, mq_open_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"unlink", NULL, mq_unlink_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"send", NULL, mq_send_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"receive", NULL, mq_receive_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"getattr", NULL, mq_getattr_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"watch", NULL, mq_watch_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, mq_close_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"fd", NULL, mq_fd_js, NULL, NULL, NULL, napi_enumerable, NULL},
      {"prioMax", NULL, mq_prio_max_js, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions) !=
      napi_ok) {
    return throw_napi_failure(env, "posix_mq init");
  }
  return exports;
}
