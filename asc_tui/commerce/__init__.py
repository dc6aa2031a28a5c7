"""The Commerce (Magento) catalog: websites, store views and product attributes."""
