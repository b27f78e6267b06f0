-- The search mix shared by search_api.lua and search_page.lua: what people
-- type and click on /search, in the URL parameter names of the search page.
-- Values are already percent-encoded (wrk sends the path as given), so
-- non-ASCII words are written as their UTF-8 escapes with the word beside them.
return {
  { q = "iphone" },
  { q = "kindle" },
  { q = "switch", sort = "price_low" },
  { q = "levi", page = "2" },
  { q = "%E8%9B%8B%E7%B3%95" },                          -- 蛋糕
  { q = "%E6%89%8B%E6%9C%BA", min = "500", max = "5000" }, -- 手机 (simplified)
  { q = "%E8%80%B3%E6%A9%9F" },                          -- 耳機
  { q = "%E8%8A%92%E6%9E%9C%E5%8D%83%E5%B1%A4" },        -- 芒果千層
  { q = "%E5%93%88%E5%88%A9%E6%B3%A2%E7%89%B9" },        -- 哈利波特
  { q = "%ED%97%A4%EB%93%9C%ED%8F%B0" },                  -- 헤드폰
  { q = "%EB%B8%8C%EB%9D%BC%EC%9A%B0%EB%8B%88", sort = "popular" }, -- 브라우니
  { q = "macb" },                                         -- a prefix, as typed
  { category = "games" },
  { category = "electronics", q = "iphone", page = "2" },
  { mode = "auction", sort = "ending_soon" },
  { min = "500", max = "5000" },
  { tag = "vintage" },
  { tag = "%E9%9D%A2%E4%BA%A4", sort = "price_low" },    -- 面交
  { sort = "price_low", page = "3" },
  { sort = "popular", page = "5" },
  { q = "%E8%9B%8B%E7%B3%95", page = "4" },              -- 蛋糕, deep page
  {},                                                      -- browsing: newest first
}
