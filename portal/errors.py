"""Error pages, and the htmx error path: a message event instead of a broken swap."""
from flask import current_app, make_response, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db, login_manager
from .htmx import csrf_expired, is_htmx, is_partial, reswap, trigger

MESSAGES = {
    400: "请求无效，请刷新页面后重试。",
    401: "登录已过期，请重新登录。",
    403: "您没有权限访问此内容。",
    404: "您要找的页面或记录不存在。",
    405: "不支持此操作。",
    413: "上传的文件太大。",
    422: "提交的内容有误，请按提示修改。",
    429: "尝试次数过多，请稍后再试。",
    500: "服务器出错了，我们已记录此问题。请稍后重试。",
}
CSRF_MESSAGE = "页面已过期（安全令牌失效），请刷新页面后重试。您填写的内容请先复制保存。"
CSRF_RENEWED = "页面的安全令牌已过期，已重新获取，请再操作一次。"


def respond(code: int, message: str):
    if is_htmx():  # nothing to swap (409 and 422 swap by default): a toast says what went wrong
        return reswap(trigger(make_response("", code), "app-error", {"message": message, "status": code}), "none")
    return render_template("errors/error.html", code=code, message=message), code


def handle_http(error: HTTPException):
    if error.response is not None:  # abort(response), e.g. the sign-in redirect
        return error.response
    return respond(error.code or 500, MESSAGES.get(error.code, error.description))


def handle_csrf(_error: CSRFError):
    """A missing session is an ended sign-in, not a forged form: send the user to sign in and back.
    A fragment request signed in with a token from before a new sign-in gets the token anew."""
    if not current_user.is_authenticated and request.endpoint != "auth.login":
        return login_manager.unauthorized()
    if is_partial():
        return csrf_expired(CSRF_RENEWED)
    return respond(400, CSRF_MESSAGE)


def handle_500(error: InternalServerError):
    db.session.rollback()
    current_app.logger.error("unhandled error: %s", error.original_exception or error)
    return respond(500, MESSAGES[500])


def refuse_nul():
    """A NUL character is nobody's typing (a broken or hostile client) and PostgreSQL cannot store or even
    compare it: such a request is refused before any view reads it, on every database alike."""
    for fields in (request.args, request.form):
        if any("\x00" in name or any("\x00" in value for value in values) for name, values in fields.lists()):
            return respond(400, MESSAGES[400])
    return None


def init_app(app) -> None:
    app.before_request(refuse_nul)
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(InternalServerError, handle_500)
    app.register_error_handler(HTTPException, handle_http)
