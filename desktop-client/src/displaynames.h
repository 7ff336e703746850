// Who is who: the signed-in person and the display name of anyone else, one lookup that the
// models share so a person is called the same everywhere.
#pragma once

#include <QString>

#include <functional>

/** @brief The signed-in person's login name and a display-name lookup for everyone else. */
class DisplayNames
{
public:
    using Lookup = std::function<QString(const QString &)>;

    void setSelf(const QString &self) { m_self = self; }
    void setLookup(Lookup lookup) { m_lookup = std::move(lookup); }

    [[nodiscard]] QString self() const { return m_self; }
    [[nodiscard]] bool isSelf(const QString &user) const
    {
        return !m_self.isEmpty() && user == m_self;
    }
    /** @brief The display name of @p user, or the login name when none is known. */
    [[nodiscard]] QString of(const QString &user) const
    {
        if (!m_lookup)
            return user;
        const QString name = m_lookup(user);
        return name.isEmpty() ? user : name;
    }

private:
    QString m_self;
    Lookup m_lookup;
};
