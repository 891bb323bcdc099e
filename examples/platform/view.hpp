#pragma once
// Pages in the site's layout, with what every page needs: the signed-in user for the
// navigation and, for signed-in users, the CSRF token of the logout form.
#include <bastion/app/app.hpp>

namespace platform {

void render_page(bastion::app& app, bastion::request& req, bastion::response& res, std::string_view name,
                 boost::json::object data, unsigned status = 200);

// A page's user-facing text must be UTF-8 of 1..max characters (after trimming).
// Returns the error for the field, or "".
std::string check_text(std::string_view text, std::size_t max_chars);

}  // namespace platform
