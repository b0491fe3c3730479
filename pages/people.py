"""Пользователи и журнал: the methodologist's accounts (create, roles, password, switch off)
and the audit log of who did what, with its export."""

from datetime import date, datetime, time, timedelta

import streamlit as st

from analytics import fmt
from radar.handouts.excel import Sheet
from radar.store import accounts
from radar.ui import auth, layout, reads

auth.require(accounts.ACCOUNTS, "Учётные записи и журнал действий")
st.title("Пользователи и журнал")
me = auth.current_user()
store = accounts.Accounts()

municipalities = reads.query("pages/shared/municipality_list")
place_names = dict(zip(municipalities["municipality_id"], municipalities["name"], strict=True))
curator_rows = reads.query("pages/people/curators")
curator_names = {
    r.curator_id: f"{r.full_name}" + (f" ({r.municipality})" if r.municipality else "")
    for r in curator_rows.itertuples(index=False)
}


def role_text(code: str) -> str:
    """A stored role («head:M001») in words, with the municipality or curator named."""
    role = accounts.Role.parse(code)
    where = place_names.get(role.municipality_id) or curator_names.get(role.curator_id)
    return accounts.ROLE_LABELS[role.kind] + (f": {where}" if where else "")


def roles_form(prefix: str, current: tuple[accounts.Role, ...] = ()) -> list[accounts.Role]:
    """Roles chosen in widgets: methodologist, heads of municipalities, curators, observers."""
    kinds = {r.kind for r in current}
    chosen: list[accounts.Role] = []
    if st.checkbox(
        "Методист региона (все школы, загрузка данных, критерии, учётные записи)",
        value="methodologist" in kinds,
        key=f"{prefix}_methodologist",
    ):
        chosen.append(accounts.Role("methodologist"))

    def municipalities(label: str, kind: str, suffix: str) -> list[accounts.Role]:
        """A role per municipality chosen (a head's, or an observer's of municipalities)."""
        chosen_ids = st.multiselect(
            label,
            list(place_names),
            default=[r.municipality_id for r in current if r.kind == kind and r.municipality_id],
            format_func=place_names.get,
            key=f"{prefix}_{suffix}",
        )
        return [accounts.Role(kind, municipality_id=m) for m in chosen_ids]

    chosen += municipalities("Руководитель МОУО муниципалитетов", "head", "heads")
    curators = st.multiselect(
        "Куратор (его школы — по спискам программ последнего года)",
        list(curator_names),
        default=[r.curator_id for r in current if r.kind == "curator"],
        format_func=curator_names.get,
        key=f"{prefix}_curators",
    )
    chosen += [accounts.Role("curator", curator_id=c) for c in curators]
    region_observer = st.checkbox(
        "Наблюдатель по всему региону (только чтение)",
        value=any(r.kind == "observer" and not r.municipality_id for r in current),
        key=f"{prefix}_observer_region",
    )
    if region_observer:
        chosen.append(accounts.Role("observer"))
    chosen += municipalities(
        "Наблюдатель по муниципалитетам (только чтение)", "observer", "observers"
    )
    return chosen


people_tab, log_tab = layout.lazy_tabs(["Учётные записи", "Журнал действий"], "people_tab")

if people_tab.open:
    with people_tab:
        people = store.users()
        st.caption(
            "Учётные записи хранятся в отдельном файле рядом с базой региона; пароли — только "
            "в виде необратимых хэшей. "
            f"После {accounts.MAX_FAILED} неудачных попыток входа подряд запись блокируется на "
            f"{accounts.LOCK_MINUTES} минут; новый пароль снимает блокировку."
        )
        if len(people):
            shown = people.assign(
                roles=people["roles"].map(lambda t: "; ".join(role_text(c) for c in t.split())),
                state=[
                    "отключена"
                    if not active
                    else (f"заблокирована до {str(locked)[11:16]}" if locked else "действует")
                    for active, locked in zip(people["active"], people["locked_until"], strict=True)
                ],
                signs_in=people["has_password"].map({1: "пароль", 0: "система входа региона"}),
            )[["login", "full_name", "roles", "email", "signs_in", "state"]].rename(
                columns={
                    "login": "Имя пользователя",
                    "full_name": "ФИО",
                    "roles": "Роли",
                    "email": "Почта",
                    "signs_in": "Вход",
                    "state": "Состояние",
                }
            )
            layout.show_table(shown, key="people_table")
        else:
            st.info("Учётных записей ещё нет: создайте первую ниже.")

        with st.expander("Новая учётная запись", icon=":material/person_add:"):
            with st.form("people_add", clear_on_submit=True):
                login = st.text_input(
                    "Имя пользователя (латиницей, без пробелов)", key="people_login"
                )
                full_name = st.text_input("Фамилия, имя, отчество", key="people_name")
                email = st.text_input(
                    "Почта (для входа через систему региона; можно не указывать)",
                    key="people_email",
                )
                password = st.text_input(
                    f"Пароль (не короче {accounts.MIN_PASSWORD} знаков; пусто — вход только через "
                    "систему региона по почте)",
                    type="password",
                    key="people_password",
                )
                roles = roles_form("people_add")
                if st.form_submit_button("Создать", type="primary"):
                    try:
                        store.add_user(
                            login,
                            full_name,
                            password or None,
                            roles,
                            email=email.strip() or None,
                            by=me.login,
                        )
                    except accounts.AccountError as exc:
                        st.error(str(exc))
                    else:
                        st.success(f"Учётная запись «{login.strip()}» создана.")

        if len(people):
            with st.expander("Изменить учётную запись", icon=":material/manage_accounts:"):
                chosen = st.selectbox(
                    "Учётная запись",
                    list(people["login"]),
                    format_func=lambda x: f"{x} — " + people.set_index("login").loc[x, "full_name"],
                    key="people_chosen",
                )
                person = store.user(chosen)
                with st.form("people_roles"):
                    new_roles = roles_form(f"people_roles_{chosen}", person.roles)
                    if st.form_submit_button("Сохранить роли"):
                        try:
                            store.set_roles(chosen, new_roles, by=me.login)
                        except accounts.AccountError as exc:
                            st.error(str(exc))
                        else:
                            st.success("Роли сохранены. Они действуют со следующего входа.")
                with st.form("people_password", clear_on_submit=True):
                    new_password = st.text_input(
                        "Новый пароль", type="password", key="people_new_password"
                    )
                    if st.form_submit_button("Задать пароль и снять блокировку"):
                        try:
                            store.set_password(chosen, new_password, by=me.login)
                        except accounts.AccountError as exc:
                            st.error(str(exc))
                        else:
                            st.success("Пароль задан, блокировка снята.")
                active = bool(people.set_index("login").loc[chosen, "active"])
                if chosen == me.login:
                    st.caption("Свою учётную запись отключить нельзя.")
                elif st.button(
                    "Отключить учётную запись" if active else "Включить учётную запись",
                    key="people_toggle",
                ):
                    store.set_active(chosen, not active, by=me.login)
                    st.rerun()

if log_tab.open:
    with log_tab:
        left, right, third = st.columns([1, 1, 2])
        start = left.date_input(
            "С даты", value=date.today() - timedelta(days=30), format="DD.MM.YYYY", key="log_from"
        )
        actions = right.multiselect(
            "Действия",
            list(accounts.ACTION_LABELS),
            format_func=accounts.ACTION_LABELS.get,
            key="log_actions",
            placeholder="все",
        )
        log = store.log(since=datetime.combine(start, time()))
        if actions:
            log = log[log["action"].isin(actions)]
        shown = log.assign(action=log["action"].map(accounts.ACTION_LABELS)).rename(
            columns={"at": "Когда", "login": "Кто", "action": "Действие", "details": "Подробности"}
        )
        shown["Кто"] = shown["Кто"].fillna(fmt.DASH)
        st.caption(f"Записей: {fmt.integer(len(shown))}, новые сверху.")
        layout.show_table(shown, key="log_table", note="полный журнал — в выгрузке Excel")
        layout.excel_download(
            third,
            "Скачать журнал (Excel)",
            lambda: [Sheet("Журнал действий", shown, note=f"Журнал действий с {start:%d.%m.%Y}")],
            f"Журнал_действий_{start:%Y%m%d}",
            "log_download",
            "Журнал действий «Школьного радара»",
        )
