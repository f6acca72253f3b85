<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>App</name>
    <message>
        <source>never</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Cashier: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Shift: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>closed</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Sync: %1 waiting, last success %2</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Printer: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>not set up</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Scanner: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>keyboard</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Camera: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Loyalty checkout</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Checkout</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Members</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Gifts</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Refunds</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Adjustments</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Reports</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>CheckoutPage</name>
    <message>
        <source>Member</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Scan the member code, or type card or phone number (F2)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Identify</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Clear</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Product barcode or code (F3)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Or a plain amount, e.g. 58.50</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Item</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Qty</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Price</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Amount</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Remove line</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Payment</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Total</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Coupon code</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Coupon</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Points to pay (F4)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Max</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Pay with points</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Cash</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Bank card</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>WeChat Pay</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Alipay</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Payment method</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>To pay</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Points to earn</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Complete sale (F12)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>No member identified</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Balance: %1 points</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>(owes %1 points from a refund)</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>%1 points expire within 30 days</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>%1 more points to %2</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>[new]</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Up to %1 points</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Identify a member to earn points</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Eligible amount: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Multipliers: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Purchase points: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Bonus %1: +%2</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Capped: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Receipt %1: paid %2</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>%1 points credited, %2 redeemed, balance %3</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Sale complete. The receipt is queued for printing.</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>Amount</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Price</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Member</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Referrer</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Phone number</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Card number</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Points</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Coupon</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Gift</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Manager</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Manager PIN</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>PIN</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Basket</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Receipt number</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Birthday</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Staff number</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Payment method</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Stock</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Product</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Shift</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Loyalty program</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Database</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Award</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Product code</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Barcode</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>File</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Date and time</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Date</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Tier</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Something went wrong. The details were written to the log; please call the store manager.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>No member with this card or phone number.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>No product with this code.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>No sale with this receipt number.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Unknown staff number.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Points may pay at most %1% of this sale.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>The member reached the monthly redemption cap of %1 points.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Not enough points: the balance is %1.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>At least %1 points per payment.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Points are paid in steps of %1.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>This gift is out of stock.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>The member has had this gift the most times allowed this month.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>This member is frozen.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>This coupon cannot be used: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>A manager must approve this (number and PIN).</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Too many wrong PINs: locked until %1.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Wrong PIN.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Only a store manager may do this.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>This phone number is already a member.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>%1 already exists.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>%1 is not valid.</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Not allowed: %1</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>The database cannot be used: %1</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>LoginPage</name>
    <message>
        <source>e.g. 1001</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Staff number</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>PIN</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Log in</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Close shift</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Open shift</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Shift %1 closed.
Sales: %2 (with members: %3), takings %4 yuan
Points issued: %5, redeemed: %6
Gifts handed out: %7, refunds: %8</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Shift report</source>
        <translation type="unfinished" />
    </message>
</context>
<context>
    <name>WorkArea</name>
    <message>
        <source>Close shift</source>
        <translation type="unfinished" />
    </message>
    <message>
        <source>Log out</source>
        <translation type="unfinished" />
    </message>
</context>
</TS>