"""The `radar` command line: build the demo region, refresh derived tables, show what is loaded."""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from analytics import fmt
from radar.ingest.loader import ValidationError
from radar.store import db

DESCRIPTION = (
    "Школьный радар — аналитическая панель поддержки школ с низкими образовательными "
    "результатами (ШНОР) и школ, функционирующих в неблагоприятных социальных условиях (ШНСУ)."
)


ARGPARSE_MESSAGES = [
    (
        r"argument (\S+): invalid choice: (.*) \(choose from (.*)\)",
        r"«\1»: неизвестное значение \2 (допустимо: \3)",
    ),
    (r"argument (\S+): invalid int value: (.*)", r"«\1»: ожидается целое число, получено \2"),
    (r"argument (\S+): expected one argument", r"для «\1» нужно указать значение"),
    (r"the following arguments are required: (.*)", r"не указаны обязательные параметры: \1"),
    (r"unrecognized arguments: (.*)", r"непонятные параметры: \1"),
]


class RussianHelpFormatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(
            usage, actions, groups, prefix="Использование: " if prefix is None else prefix
        )


class RussianParser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", RussianHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "команды"
        self._optionals.title = "параметры"
        self.add_argument("-h", "--help", action="help", help="показать эту справку и выйти")

    def error(self, message: str):
        for english, russian in ARGPARSE_MESSAGES:
            message = re.sub(english, russian, message)
        self.print_usage(sys.stderr)
        self.exit(2, f"Ошибка в параметрах команды: {message}\nСправка: radar --help\n")


def _progress(message: str, fraction: float) -> None:
    print(f"[{fraction * 100:5.1f} %] {message}", file=sys.stderr, flush=True)


def cmd_demo(args: argparse.Namespace) -> int:
    from data.generator import generate_region
    from radar.ingest.loader import Source, load_region
    from radar.store.refresh import refresh_derived
    from radar.store.spec import TABLES

    path = Path(args.db) if args.db else db.db_path()
    if path.exists() and not args.force:
        print(f"База данных уже есть: {path}. Чтобы построить её заново, добавьте --force.")
        return 0
    started = time.perf_counter()
    _progress("Генерация демонстрационного региона", 0.0)
    frames = generate_region(seed=args.seed, n_schools=args.schools)
    for name, frame in frames.items():
        frame.attrs["source"] = Source("демо-генератор", TABLES[name].label)

    def load_step(message: str, fraction: float) -> None:
        _progress(message, 1.0 if fraction >= 1 else 0.3 + 0.5 * fraction)

    def refresh(con) -> None:
        refresh_derived(con, lambda m, f: _progress(m, 0.8 + 0.2 * f))

    counts = {name: len(frames[name]) for name in ("schools", "municipalities", "exam_results")}
    # Handed over: load_region frees the generated frames once typed, before the refresh.
    handed = [frames]
    del frames
    warnings = load_region(handed.pop(), path, progress=load_step, after_load=refresh)
    print(
        f"Демонстрационная база построена: {path} — школ: {counts['schools']}, "
        f"муниципалитетов: {counts['municipalities']}, "
        f"строк результатов: {counts['exam_results']}; "
        f"время: {fmt.num(time.perf_counter() - started)} с"
    )
    if warnings:
        print(f"Предупреждений при проверке: {len(warnings)}")
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from radar.ingest.files import FileProblem, read_folder
    from radar.ingest.loader import load_region
    from radar.store.refresh import refresh_derived

    path = Path(args.db) if args.db else db.db_path()
    try:
        frames, notes = read_folder(Path(args.folder))
    except FileProblem as exc:
        print(f"Ошибка: {exc}", file=sys.stderr)
        return 1
    for note in notes:
        print(note)
    warnings = load_region(
        frames, path, progress=_progress, after_load=lambda con: refresh_derived(con, _progress)
    )
    for problem in warnings:
        print(problem)
    _record(None, "import", f"замена базы: папка {args.folder}", args)
    print(f"Данные региона загружены в {path}.")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from radar.handouts.csv_export import write_folder
    from radar.store.spec import TABLES

    person = _person(args)
    con = db.connect(Path(args.db) if args.db else db.db_path())
    try:
        _restrict(con, person)
        frames = {name: db.read_table(con, name) for name in TABLES}
    finally:
        con.close()
    write_folder({k: v for k, v in frames.items() if len(v)}, Path(args.folder))
    _record(person, "export", f"таблицы в папку {args.folder}", args)
    print(f"Таблицы выгружены в папку {args.folder}.")
    return 0


def _person(args: argparse.Namespace):
    """The signed-in person of `--as ЛОГИН` (her password from $RADAR_PASSWORD or asked),
    or None for the server's administrator, who reads the whole region."""
    from radar.store import accounts

    login = getattr(args, "as_user", None)
    if not login:
        return None
    import getpass
    import os

    password = os.environ.get("RADAR_PASSWORD") or getpass.getpass(f"Пароль для {login}: ")
    try:
        return accounts.Accounts(accounts.accounts_path(_db(args))).sign_in(login, password)
    except accounts.AccountError as exc:
        raise db.DatabaseError(str(exc)) from exc


def _restrict(con, person) -> None:
    """Only the person's part of the region on `con` (everything for no person)."""
    from radar.store import access

    if person is not None:
        access.restricted(con, person.access)


def _record(person, action: str, details: str, args: argparse.Namespace | None = None) -> None:
    """An audit entry: by the person, else by the computer's own user running the command."""
    import getpass

    from radar.store import accounts

    who = person.login if person is not None else f"командная строка: {getpass.getuser()}"
    path = accounts.accounts_path(_db(args)) if args is not None else None
    accounts.Accounts(path).record(who, action, details)


def _db(args: argparse.Namespace | None) -> Path:
    return Path(args.db) if args is not None and getattr(args, "db", None) else db.db_path()


def _check_and_load(files: list, path: Path, args: argparse.Namespace) -> int:
    """Check read files against the database (or on their own, with --replace), say what would
    change, ask, and load them: the tail shared by `radar import` and `radar map`."""
    from radar.handouts.excel import problems_report
    from radar.ingest.importer import (
        apply_import,
        describe_database,
        plan_import,
        record_refusal,
        scale_notice,
        summary_of,
    )
    from radar.ingest.loader import problems_summary

    for read in files:
        for note in read.notes:
            print(note)
    plan = plan_import(files, path, replace=args.replace, skip_bad_rows=args.skip_bad_rows)
    problems = plan.problems
    if problems:
        out = sys.stderr if problems.errors else sys.stdout
        print(problems_summary(problems), file=out)
        for group in problems.groups:
            where = ", ".join(
                part
                for part in (
                    group.file,
                    f"лист «{group.sheet}»" if group.sheet else "",
                    f"столбец «{group.column}»" if group.column else "",
                )
                if part
            )
            rows = ", ".join(map(str, group.rows)) + (" …" if group.count > len(group.rows) else "")
            print(
                f"  {group.severity.capitalize()}: {where}: {group.kind}"
                + (f" — строк {group.count}: {rows}" if group.rows else ""),
                file=out,
            )
        report = args.report
        if report:
            Path(report).write_bytes(problems_report(problems))
            print(f"Отчёт о проблемах со всеми строками: {report}", file=out)
    if plan.errors:
        record_refusal(plan, path)
        hint = (
            " Чтобы загрузить остальные строки, добавьте --skip-bad-rows." if plan.skippable else ""
        )
        print(
            f"Данные не загружены: ошибок — {problems.errors}. База не изменилась.{hint}",
            file=sys.stderr,
        )
        return 1
    for line in plan.identity.lines():
        print(line)
    if plan.skipped:
        print(f"Пропущено строк с ошибками: {sum(len(r) for r in plan.skipped.values())}.")
    print("Что изменится:")
    held = describe_database(path)
    if args.replace and held:
        print(f"  Всё, что сейчас в базе ({held}), будет заменено строками из файлов.")
    blank = args.blank
    summary = summary_of(plan.comparisons, blank)
    for row in summary.itertuples(index=False):
        print(
            f"  {row[1]}: строк {row[2]}, новых {row[3]}, изменённых {row[4]}, "
            f"без изменений {row[5]}"
        )
    for row in plan.column_changes().itertuples(index=False):
        print(
            f"    {row[2]}, «{row[3]}»: изменится {row[4]}, заполнится {row[5]}, "
            f"будет стёрто {row[6] if blank else 0}; {row[7]}"
        )
    if plan.blanks and not blank:
        print(
            f"  Заполненных значений, пустых в файлах: {plan.blanks}; они останутся как есть "
            "(чтобы стереть их, добавьте --blank)."
        )
    if not args.yes:
        try:
            answer = input("Загрузить? [да/нет] ").strip().lower()
        except EOFError:  # no one to answer (input from a closed pipe): nothing is loaded
            print()
            answer = ""
        if answer not in ("да", "д", "yes", "y"):
            print("Загрузка отменена, база не изменилась.")
            return 0
    apply_import(plan, path, progress=_progress, blank=blank)
    names = ", ".join(f.name for f in files)
    _record(None, "import", f"{'замена базы' if args.replace else 'загрузка'}: {names}", args)
    print(f"Данные загружены в {path}.")
    notice = scale_notice(plan, path)
    if notice:
        print(f"Внимание: {notice}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from radar.ingest.files import FileProblem
    from radar.ingest.importer import read_file

    path = Path(args.db) if args.db else db.db_path()
    try:
        files = [read_file(Path(f).name, Path(f).read_bytes()) for f in args.files]
    except (FileProblem, FileNotFoundError) as exc:
        print(f"Ошибка: {exc}", file=sys.stderr)
        return 1
    return _check_and_load(files, path, args)


def cmd_map(args: argparse.Namespace) -> int:
    from radar.ingest.files import FileProblem
    from radar.ingest.importer import ReadFile
    from radar.ingest.mapping import (
        Mapping,
        build,
        constant_choices,
        digest,
        folder_contents,
        with_constants,
    )

    path = Path(args.db) if args.db else db.db_path()
    try:
        mapping = Mapping.load(Path(args.mapping))
        mapping = with_constants(mapping, constant_choices(mapping, args.set))
        contents = folder_contents(mapping, Path(args.folder))
        frames = build(mapping, contents)
    except (FileProblem, FileNotFoundError, KeyError) as exc:
        print(f"Ошибка: {exc}", file=sys.stderr)
        return 1
    read = ReadFile(f"{args.folder} ({mapping.name})", digest(mapping, contents), frames)
    return _check_and_load([read], path, args)


def cmd_template(args: argparse.Namespace) -> int:
    from radar.ingest.templates import template_bytes

    target = Path(args.file)
    target.write_bytes(template_bytes())
    print(f"Шаблон записан: {target}")
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    from radar.store import versions

    path = Path(args.db) if args.db else db.db_path()
    kept = versions.versions(path)
    if not kept:
        print("Сохранённых состояний базы нет: отменять нечего.")
        return 0
    if not args.version:
        used = versions.disk_used(path) / 1024**2
        print(f"Сохранённые состояния базы (занимают {used:.1f} МБ):".replace(".", ","))
        for v in kept:
            print(
                f"  {v.name}  до загрузки «{v.files}» {v.saved_at:%d.%m.%Y %H:%M:%S} {v.user_name}"
            )
        print("Чтобы вернуть базу к одному из них: radar undo ИМЯ")
        return 0
    versions.restore(args.version, path, progress=_progress)
    _record(None, "undo", f"база возвращена к состоянию {args.version}", args)
    print("База возвращена к состоянию до этой загрузки, показатели пересчитаны.")
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    from radar.store.refresh import refresh_derived

    path = Path(args.db) if args.db else db.db_path()
    if not path.exists():
        print(f"База данных не найдена: {path}. Сначала выполните «radar demo».", file=sys.stderr)
        return 1
    with db.write_session(path) as con:
        refresh_derived(con, _progress)
    print("Производные таблицы пересчитаны.")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from radar.handouts import batch

    path = Path(args.db) if args.db else db.db_path()
    if not path.exists():
        print(f"База данных не найдена: {path}. Сначала выполните «radar demo».", file=sys.stderr)
        return 1
    person = _person(args)
    con = db.connect(path, read_only=True)
    try:
        _restrict(con, person)
        if person is not None and not person.access.region and not args.municipality:
            from radar.store import access

            own = access.visible(con, person.access).municipalities
            if len(own) == 1:  # her one municipality, named in the documents' headings
                args.municipality = own[0]
        written = batch.write_handouts(
            con,
            args.kind,
            Path(args.out),
            year=args.year,
            form=args.format,
            municipality=args.municipality,
            school=args.school,
            progress=_progress,
            stage=args.stage,
        )
    except batch.ReportError as exc:
        print(f"Ошибка: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:  # no Chromium for a PDF: said in Russian by the handouts
        print(f"Ошибка: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
    kinds = {
        "municipality": "отчёт муниципалитета",
        "card": "карточки школ",
        "lists": "списки ШНОР и ШНСУ",
        "note": "аналитическая справка",
    }
    done = f"{kinds[args.kind]}: файлов {len(written)}, папка {args.out}"
    _record(person, "export", done, args)
    print(f"Записано файлов: {len(written)} в папку {args.out}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from radar import serve

    serve.main([*(["--auth"] if args.auth else []), *args.streamlit])
    return 0


def _new_password(args: argparse.Namespace) -> str:
    """A new password from standard input (--password-stdin, for scripts) or asked twice."""
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Новый пароль: ")
    if getpass.getpass("Повторите пароль: ") != first:
        raise db.DatabaseError("Пароли не совпали, ничего не изменено.")
    return first


def _roles(args: argparse.Namespace):
    """The roles given with --role, checked against the region's municipalities and curators."""
    from radar.store import accounts

    try:
        roles = [accounts.Role.parse(text) for text in args.role]
    except accounts.AccountError as exc:
        raise db.DatabaseError(str(exc)) from exc
    path = _db(args)
    if path.exists():
        con = db.connect(path)
        try:
            municipalities = {
                r[0] for r in con.execute(db.sql("access/municipality_ids")).fetchall()
            }
            curators = {r[0] for r in con.execute(db.sql("access/curator_ids")).fetchall()}
        finally:
            con.close()
        for role in roles:
            if role.municipality_id and role.municipality_id not in municipalities:
                raise db.DatabaseError(f"Муниципалитета с кодом {role.municipality_id} в базе нет.")
            if role.curator_id and role.curator_id not in curators:
                raise db.DatabaseError(
                    f"Куратора с кодом {role.curator_id} в списке кураторов базы нет."
                )
    return roles


def cmd_user(args: argparse.Namespace) -> int:
    from radar.store import accounts

    store = accounts.Accounts(accounts.accounts_path(_db(args)))
    import getpass

    by = f"командная строка: {getpass.getuser()}"
    try:
        if args.action != "list" and not args.login:
            raise accounts.AccountError("Укажите имя пользователя (ЛОГИН).")
        if args.action == "list":
            people = store.users()
            if not len(people):
                print(f"Учётных записей нет ({store.path}).")
            for row in people.itertuples(index=False):
                state = "" if row.active else " (отключена)"
                locked = f" (заблокирована до {row.locked_until})" if row.locked_until else ""
                roles = ", ".join(accounts.Role.parse(r).label for r in row.roles.split())
                print(f"  {row.login}  {row.full_name}  {roles}{state}{locked}")
            return 0
        if args.action == "add":
            if not args.name or not args.role:
                raise accounts.AccountError("Укажите --name и хотя бы одну --role.")
            roles = _roles(args)
            password = None if args.no_password else _new_password(args)
            store.add_user(args.login, args.name, password, roles, email=args.email, by=by)
            print(f"Учётная запись «{args.login}» создана.")
        elif args.action == "password":
            store.set_password(args.login, _new_password(args), by=by)
            print(f"Пароль для «{args.login}» задан, блокировка снята.")
        elif args.action == "roles":
            store.set_roles(args.login, _roles(args), by=by)
            print(f"Роли «{args.login}» изменены.")
        elif args.action in ("disable", "enable"):
            store.set_active(args.login, args.action == "enable", by=by)
            done = "включена" if args.action == "enable" else "отключена"
            print(f"Учётная запись «{args.login}» {done}.")
    except accounts.AccountError as exc:
        print(f"Ошибка: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    path = Path(args.db) if args.db else db.db_path()
    con = db.connect(path, read_only=True)
    try:
        for table, rows in db.table_counts(con).items():
            print(f"{table:32} {rows:>10,}".replace(",", " "))
    finally:
        con.close()
    return 0


def _load_options(command: argparse.ArgumentParser) -> None:
    """The options `radar import` and `radar map` share: how to check and write the files."""
    command.add_argument("--yes", action="store_true", help="не спрашивать подтверждения")
    command.add_argument(
        "--blank",
        action="store_true",
        help="стереть в базе значения, ячейки которых в файлах пусты (без флага они остаются)",
    )
    command.add_argument(
        "--report", metavar="ФАЙЛ.xlsx", help="записать отчёт о проблемах со всеми строками"
    )
    command.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="загрузить файлы без строк с ошибками (они будут перечислены в истории загрузок)",
    )
    command.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def _as_option(command: argparse.ArgumentParser) -> None:
    """`--as ЛОГИН`: the command reads only that person's part of the region."""
    command.add_argument(
        "--as",
        dest="as_user",
        metavar="ЛОГИН",
        help="от имени сотрудника: только его часть региона (пароль из $RADAR_PASSWORD или "
        "будет спрошен)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = RussianParser(prog="radar", description=DESCRIPTION)
    parser.add_argument(
        "--db", metavar="ФАЙЛ", help="файл базы данных (по умолчанию radar.duckdb или $RADAR_DB)"
    )
    commands = parser.add_subparsers(
        title="команды", dest="command", metavar="КОМАНДА", parser_class=RussianParser
    )

    demo = commands.add_parser("demo", help="построить базу демонстрационного региона")
    demo.add_argument(
        "--schools", type=int, default=1100, metavar="ЧИСЛО", help="число школ (по умолчанию 1100)"
    )
    demo.add_argument(
        "--seed",
        type=int,
        default=2025,
        metavar="ЧИСЛО",
        help="зерно генератора (по умолчанию 2025)",
    )
    demo.add_argument("--force", action="store_true", help="перестроить, даже если база уже есть")
    demo.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    demo.set_defaults(func=cmd_demo)

    refresh = commands.add_parser(
        "refresh", help="пересчитать производные таблицы (ИСБШ, сводные результаты)"
    )
    refresh.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    refresh.set_defaults(func=cmd_refresh)

    load = commands.add_parser(
        "load",
        help="загрузить регион из папки CSV-файлов "
        "(по файлу на таблицу: schools.csv, exam_results.csv …)",
    )
    load.add_argument("folder", metavar="ПАПКА", help="папка с файлами ТАБЛИЦА.csv")
    load.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    load.set_defaults(func=cmd_load)

    imp = commands.add_parser(
        "import",
        help="добавить или обновить данные из файлов .xlsx (лист на таблицу, как в шаблоне) "
        "и .csv (файл на таблицу)",
    )
    imp.add_argument("files", nargs="+", metavar="ФАЙЛ", help="файлы .xlsx или .csv")
    imp.add_argument(
        "--replace",
        action="store_true",
        help="заменить всю базу (например, демонстрационный регион) данными из файлов; "
        "настройки критериев и история загрузок сохраняются",
    )
    _load_options(imp)
    imp.set_defaults(func=cmd_import)

    mapped = commands.add_parser(
        "map", help="загрузить файлы в другом формате по сохранённому сопоставлению столбцов"
    )
    mapped.add_argument("mapping", metavar="СОПОСТАВЛЕНИЕ", help="файл сопоставления .json")
    mapped.add_argument("folder", metavar="ПАПКА", help="папка с исходными файлами")
    mapped.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="СТОЛБЕЦ=ЗНАЧЕНИЕ",
        help="заменить одно значение для всех строк из сопоставления, например --set year=2020 "
        "(или таблица.столбец=значение); можно несколько раз",
    )
    mapped.add_argument(
        "--replace",
        action="store_true",
        help="заменить всю базу данными из файлов (как у radar import --replace)",
    )
    _load_options(mapped)
    mapped.set_defaults(func=cmd_map)

    template = commands.add_parser("template", help="записать шаблон Excel для данных региона")
    template.add_argument("file", metavar="ФАЙЛ", help="куда записать шаблон .xlsx")
    template.set_defaults(func=cmd_template)

    export = commands.add_parser(
        "export", help="выгрузить исходные таблицы базы в папку CSV-файлов"
    )
    export.add_argument("folder", metavar="ПАПКА", help="папка для файлов ТАБЛИЦА.csv")
    export.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    _as_option(export)
    export.set_defaults(func=cmd_export)

    undo = commands.add_parser(
        "undo", help="показать сохранённые состояния базы или вернуть базу к одному из них"
    )
    undo.add_argument("version", nargs="?", metavar="ИМЯ", help="состояние из списка radar undo")
    undo.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    undo.set_defaults(func=cmd_undo)

    report = commands.add_parser(
        "report",
        help="записать раздаточные материалы в папку: отчёт муниципалитета, карточки школ, "
        "списки ШНОР и ШНСУ, аналитическую справку",
    )
    report.add_argument(
        "kind",
        metavar="ВИД",
        choices=["municipality", "card", "lists", "note"],
        help="municipality — отчёт муниципалитета (pdf, xlsx, html); card — карточка школы "
        "(pdf, xlsx, html); lists — списки ШНОР и ШНСУ (xlsx); note — аналитическая справка "
        "по мониторингу (docx, pdf, html)",
    )
    report.add_argument("--out", required=True, metavar="ПАПКА", help="куда записать файлы")
    report.add_argument(
        "--format", choices=["pdf", "xlsx", "html", "docx"], help="формат (по умолчанию первый)"
    )
    report.add_argument(
        "--municipality",
        metavar="КОД",
        help="код или название муниципалитета, или all — по файлу на каждый",
    )
    report.add_argument("--school", metavar="КОД", help="код школы (для карточки)")
    report.add_argument("--year", type=int, metavar="ГОД", help="год (по умолчанию последний)")
    report.add_argument(
        "--stage",
        choices=["entry", "intermediate", "final"],
        default="final",
        help="этап мониторинга для справки: entry — входной, intermediate — промежуточный, "
        "final — итоговый (по умолчанию)",
    )
    _as_option(report)
    report.set_defaults(func=cmd_report)

    serve = commands.add_parser(
        "serve",
        help="запустить панель: без --auth только на этом компьютере и без входа, с --auth — "
        "сервер региона со входом по учётным записям",
    )
    serve.add_argument(
        "--auth", action="store_true", help="требовать вход (сервер для всех сотрудников)"
    )
    serve.add_argument(
        "streamlit",
        nargs=argparse.REMAINDER,
        metavar="ПАРАМЕТРЫ",
        help="параметры Streamlit, например --server.address 10.0.0.5 --server.port 8501",
    )
    serve.set_defaults(func=cmd_serve)

    user = commands.add_parser("user", help="учётные записи сотрудников: создать, пароль, роли")
    user.add_argument(
        "action",
        metavar="ДЕЙСТВИЕ",
        choices=["add", "password", "roles", "disable", "enable", "list"],
        help="add — создать; password — задать пароль (снимает блокировку); roles — заменить "
        "роли; disable, enable — отключить, включить; list — список",
    )
    user.add_argument("login", nargs="?", metavar="ЛОГИН", help="имя пользователя")
    user.add_argument("--name", metavar="ФИО", help="фамилия, имя, отчество")
    user.add_argument(
        "--role",
        action="append",
        default=[],
        metavar="РОЛЬ",
        help="methodologist — методист региона; head:КОД_МУНИЦИПАЛИТЕТА — руководитель МОУО; "
        "curator:КОД_КУРАТОРА — куратор; observer или observer:КОД_МУНИЦИПАЛИТЕТА — "
        "наблюдатель (можно несколько --role)",
    )
    user.add_argument("--email", metavar="АДРЕС", help="почта для входа через систему региона")
    user.add_argument(
        "--no-password", action="store_true", help="без пароля: вход только через систему региона"
    )
    user.add_argument(
        "--password-stdin", action="store_true", help="прочитать пароль из стандартного ввода"
    )
    user.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    user.set_defaults(func=cmd_user)

    info = commands.add_parser("info", help="показать, сколько строк в каждой таблице базы")
    info.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    info.set_defaults(func=cmd_info)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    # Streamlit's own options after «serve» (--server.address …) are not ours to know.
    args, unknown = parser.parse_known_args(argv)
    if getattr(args, "command", None) == "serve":
        args.streamlit = [*unknown, *args.streamlit]
    elif unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    path = Path(args.db) if getattr(args, "db", None) else db.db_path()
    for leftover in db.remove_leftovers(path):
        print(f"Удалена копия базы, оставшаяся от прерванной записи: {leftover.name}")
    try:
        return args.func(args)
    except ValidationError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except db.DatabaseError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Прервано. База данных не изменилась.", file=sys.stderr)
        return 130
    except Exception as exc:  # the user gets Russian words; the traceback goes to the log
        print(db.report_failure(exc, "Команда radar " + args.command, path), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
