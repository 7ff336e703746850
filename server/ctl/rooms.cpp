// heraldctl: rooms and their members, groups (notification recipients) and theirs.
#include "ctl.h"

#include "core/store.h"

namespace herald::ctl {

namespace {

int setMember(Context &c, bool add)
{
    Store &st = c.st;
    const QStringList &p = c.p;
    const auto r = st.room(p[2]);
    if (!r)
        return fail(QStringLiteral("no room '%1'").arg(p[2]));
    const auto u = st.user(p[3]);
    if (!u)
        return fail(QStringLiteral("no user '%1'").arg(p[3]));
    if (auto e = add ? st.addMember(r->id, u->id) : st.removeMember(r->id, u->id))
        return fail(*e);
    out() << (add ? "added " : "removed ") << p[3] << (add ? " to " : " from ") << p[2] << '\n';
    return 0;
}

int setGroupMember(Context &c, bool add)
{
    Store &st = c.st;
    const QStringList &p = c.p;
    if (auto e = st.setGroupMember(p[2], p[3], add))
        return fail(*e);
    out() << (add ? "added " : "removed ") << p[3] << " in " << p[2] << '\n';
    return 0;
}

} // namespace

int roomCreate(Context &c)
{
    Store &st = c.st;
    const QStringList &p = c.p;
    auto r =
        st.createRoom(p[2], c.args.opt("title"),
                      c.args.has("private") ? QStringLiteral("private") : QStringLiteral("public"));
    if (auto *e = std::get_if<StoreError>(&r))
        return fail(*e);
    out() << "created room " << p[2] << '\n';
    return 0;
}

int roomList(Context &c)
{
    Store &st = c.st;
    for (const RoomRow &r : st.rooms())
        out() << r.name << '\t' << r.kind << '\t' << counted(r.members.size(), "member", "members")
              << '\t' << r.lastSeq << " messages\t" << r.title << '\n';
    return 0;
}

int roomDelete(Context &c)
{
    Store &st = c.st;
    const QStringList &p = c.p;
    if (auto e = st.deleteRoom(p[2]))
        return fail(*e);
    out() << "deleted room " << p[2] << '\n';
    return 0;
}

int roomAddMember(Context &c)
{
    return setMember(c, true);
}

int roomRemoveMember(Context &c)
{
    return setMember(c, false);
}

int groupCreate(Context &c)
{
    Store &st = c.st;
    const QStringList &p = c.p;
    auto r = st.createGroup(p[2]);
    if (auto *e = std::get_if<StoreError>(&r))
        return fail(*e);
    out() << "created group " << p[2] << '\n';
    return 0;
}

int groupDelete(Context &c)
{
    Store &st = c.st;
    const QStringList &p = c.p;
    if (auto e = st.deleteGroup(p[2]))
        return fail(*e);
    out() << "deleted group " << p[2] << '\n';
    return 0;
}

int groupList(Context &c)
{
    Store &st = c.st;
    for (const GroupRow &g : st.groups())
        out() << g.name << '\t' << counted(g.memberCount, "member", "members") << '\n';
    return 0;
}

int groupAdd(Context &c)
{
    return setGroupMember(c, true);
}

int groupRemove(Context &c)
{
    return setGroupMember(c, false);
}

} // namespace herald::ctl
