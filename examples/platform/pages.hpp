#pragma once
// The platform's HTML pages: home, post list, single post, and its error pages.
#include <bastion/app/app.hpp>

namespace platform {

void add_pages(bastion::app& app);

// Renders `page` inside the layout with `data`; 500 through the error handlers when a
// template is missing.
void render(bastion::app& app, bastion::response& res, std::string_view page, boost::json::object data);

}  // namespace platform
