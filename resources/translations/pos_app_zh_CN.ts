<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>AdjustmentsPage</name>
    <message>
        <source>Adjust a member's points</source>
        <translation>调整会员积分</translation>
    </message>
    <message>
        <source>Card or phone number (F2)</source>
        <translation>卡号或手机号 (F2)</translation>
    </message>
    <message>
        <source>Identify</source>
        <translation>识别</translation>
    </message>
    <message>
        <source>Member</source>
        <translation>会员</translation>
    </message>
    <message>
        <source>e.g. +500 or -200</source>
        <translation>如 +500 或 -200</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <source>Why (required), e.g. points of a receipt scanned twice</source>
        <translation>原因（必填），如：同一张小票重复积分</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Adjust (Enter)</source>
        <translation>调整 (Enter)</translation>
    </message>
    <message>
        <source>Audit trail</source>
        <translation>审计记录</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>All actions</source>
        <translation>全部操作</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Only a store manager sees the audit trail: log in as a manager.</source>
        <translation>仅店长可查看审计记录，请用店长工号登录。</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>操作员</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>单号</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>No member identified</source>
        <translation>未识别会员</translation>
    </message>
    <message>
        <source>Balance: %1 points</source>
        <translation>余额：%1 积分</translation>
    </message>
    <message>
        <source>Manager approval</source>
        <translation>店长授权</translation>
    </message>
    <message>
        <source>%1 points (%2), approved by %3. Balance now %4.</source>
        <translation>%1 积分（%2），由 %3 授权。现余额 %4。</translation>
    </message>
    <message>
        <source>Points adjusted.</source>
        <translation>积分已调整。</translation>
    </message>
    <message>
        <source>member %1</source>
        <translation>会员 %1</translation>
    </message>
</context>
<context>
    <name>AdjustmentsViewModel</name>
    <message>
        <source>Identify the member first (card or phone number).</source>
        <translation>请先识别会员（卡号或手机号）。</translation>
    </message>
    <message>
        <source>Enter the points as a signed whole number, e.g. +500 or -200.</source>
        <translation>请输入带正负号的整数积分，如 +500 或 -200。</translation>
    </message>
    <message>
        <source>A reason is required.</source>
        <translation>必须填写原因。</translation>
    </message>
    <message>
        <source>Adjust the points of %1 (%2) by %3. Reason: %4. A store manager must approve.</source>
        <translation>将%1（%2）的积分调整 %3。原因：%4。需店长授权。</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>never</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Cashier: %1</source>
        <translation>收银员：%1</translation>
    </message>
    <message>
        <source>Shift: %1</source>
        <translation>班次：%1</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>未开班</translation>
    </message>
    <message>
        <source>Printer: %1</source>
        <translation>打印机：%1</translation>
    </message>
    <message>
        <source>not set up</source>
        <translation>未设置</translation>
    </message>
    <message>
        <source>Scanner: %1</source>
        <translation>扫码枪：%1</translation>
    </message>
    <message>
        <source>keyboard</source>
        <translation>键盘模式</translation>
    </message>
    <message>
        <source>Camera: %1</source>
        <translation>摄像头：%1</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>(%1)</source>
        <translation>（%1）</translation>
    </message>
    <message>
        <source>file</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>(%1 queued)</source>
        <translation>（%1 张待打印）</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <source>disconnected</source>
        <translation>已断开</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>on</source>
        <translation>开启</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>启动中</translation>
    </message>
    <message>
        <source>not found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <source>lost</source>
        <translation>信号丢失</translation>
    </message>
    <message>
        <source>no decoder</source>
        <translation>无解码器</translation>
    </message>
    <message>
        <source>DATABASE DAMAGED: nothing is written; restore the last checked backup</source>
        <translation>数据库已损坏：不再写入；请恢复最近一次校验过的备份</translation>
    </message>
    <message>
        <source>Sync: %1 waiting, last %2</source>
        <translation>同步：%1 条待上传，上次同步：%2</translation>
    </message>
    <message>
        <source>Backup failed: %1</source>
        <translation>备份失败：%1</translation>
    </message>
    <message>
        <source>Loyalty checkout</source>
        <translation>积分收银台</translation>
    </message>
    <message>
        <source>Checkout</source>
        <translation>收银</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>会员</translation>
    </message>
    <message>
        <source>Gifts</source>
        <translation>积分商城</translation>
    </message>
    <message>
        <source>Refunds</source>
        <translation>退货</translation>
    </message>
    <message>
        <source>Adjustments</source>
        <translation>积分调整</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>员工</translation>
    </message>
</context>
<context>
    <name>ApprovalDialog</name>
    <message>
        <source>e.g. 9001</source>
        <translation>如 9001</translation>
    </message>
    <message>
        <source>Manager number</source>
        <translation>店长工号</translation>
    </message>
    <message>
        <source>Manager PIN</source>
        <translation>店长密码</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>取消 (Esc)</translation>
    </message>
    <message>
        <source>Approve (Enter)</source>
        <translation>授权 (Enter)</translation>
    </message>
    <message>
        <source>Enter the manager's number and PIN.</source>
        <translation>请输入店长工号和密码。</translation>
    </message>
</context>
<context>
    <name>AwardDialog</name>
    <message>
        <source>Award points</source>
        <translation>奖励积分</translation>
    </message>
    <message>
        <source>An award for %1: choose what they did</source>
        <translation>给 %1 的奖励：选择会员完成的行为</translation>
    </message>
    <message>
        <source>%1: %2 points</source>
        <translation>%1：%2 积分</translation>
    </message>
    <message>
        <source>What they did, e.g. the survey's name</source>
        <translation>会员做了什么，例如问卷名称</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>取消 (Esc)</translation>
    </message>
    <message>
        <source>Award (Enter)</source>
        <translation>奖励 (Enter)</translation>
    </message>
    <message>
        <source>Choose an award first.</source>
        <translation>请先选择奖励项目。</translation>
    </message>
</context>
<context>
    <name>Awards</name>
    <message>
        <source>Sign-up</source>
        <translation>注册</translation>
    </message>
    <message>
        <source>Profile completed</source>
        <translation>完善资料</translation>
    </message>
    <message>
        <source>Referral</source>
        <translation>推荐有礼</translation>
    </message>
    <message>
        <source>Survey</source>
        <translation>问卷调查</translation>
    </message>
    <message>
        <source>Review with a photo</source>
        <translation>晒图评价</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>评价</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>分享</translation>
    </message>
    <message>
        <source>Check-in</source>
        <translation>签到</translation>
    </message>
</context>
<context>
    <name>CameraView</name>
    <message>
        <source>Camera not set up</source>
        <translation>未设置摄像头</translation>
    </message>
    <message>
        <source>Starting camera…</source>
        <translation>正在启动摄像头…</translation>
    </message>
    <message>
        <source>No camera</source>
        <translation>没有摄像头</translation>
    </message>
    <message>
        <source>Camera lost, reconnecting…</source>
        <translation>摄像头已断开，正在重新连接…</translation>
    </message>
    <message>
        <source>Camera off</source>
        <translation>摄像头已关闭</translation>
    </message>
    <message>
        <source>Barcode decoder not available</source>
        <translation>条码解码器不可用</translation>
    </message>
</context>
<context>
    <name>CashUpDialog</name>
    <message>
        <source>Cash-up and close shift</source>
        <translation>清点现金并交班</translation>
    </message>
    <message>
        <source>Shift</source>
        <translation>班次</translation>
    </message>
    <message>
        <source>Sales</source>
        <translation>销售笔数</translation>
    </message>
    <message>
        <source>Float</source>
        <translation>备用金</translation>
    </message>
    <message>
        <source>Expected: %1</source>
        <translation>应有：%1</translation>
    </message>
    <message>
        <source>Cash counted in the drawer, e.g. 1250.00</source>
        <translation>钱箱实点现金，例如 1250.00</translation>
    </message>
    <message>
        <source>Cash counted</source>
        <translation>实点现金</translation>
    </message>
    <message>
        <source>Difference</source>
        <translation>差额</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>取消 (Esc)</translation>
    </message>
    <message>
        <source>Close shift (Enter)</source>
        <translation>交班 (Enter)</translation>
    </message>
    <message>
        <source>%1 over</source>
        <translation>长款 %1</translation>
    </message>
    <message>
        <source>%1 short</source>
        <translation>短款 %1</translation>
    </message>
    <message>
        <source>No difference</source>
        <translation>无差额</translation>
    </message>
</context>
<context>
    <name>CheckoutPage</name>
    <message>
        <source>Member</source>
        <translation>会员</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Send code (Ctrl+O)</source>
        <translation>发送验证码 (Ctrl+O)</translation>
    </message>
    <message>
        <source>Product barcode or code (F3)</source>
        <translation>商品条码或编码 (F3)</translation>
    </message>
    <message>
        <source>Or a plain amount, e.g. 58.50</source>
        <translation>或输入金额，如 58.50</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>单价</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Remove line</source>
        <translation>删除商品</translation>
    </message>
    <message>
        <source>Discount (Ctrl+D)</source>
        <translation>单品折扣 (Ctrl+D)</translation>
    </message>
    <message>
        <source>Suspend (Ctrl+H)</source>
        <translation>挂单 (Ctrl+H)</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>结算</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>Coupon code</source>
        <translation>优惠券码</translation>
    </message>
    <message>
        <source>Coupon</source>
        <translation>优惠券</translation>
    </message>
    <message>
        <source>Points to pay (F4)</source>
        <translation>抵现积分 (F4)</translation>
    </message>
    <message>
        <source>Max</source>
        <translation>最大抵扣</translation>
    </message>
    <message>
        <source>Pay with points</source>
        <translation>积分抵现</translation>
    </message>
    <message>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <source>Bank card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <source>WeChat Pay</source>
        <translation>微信支付</translation>
    </message>
    <message>
        <source>Alipay</source>
        <translation>支付宝</translation>
    </message>
    <message>
        <source>Payment method</source>
        <translation>支付方式</translation>
    </message>
    <message>
        <source>To pay</source>
        <translation>应收</translation>
    </message>
    <message>
        <source>Amount handed over (F11)</source>
        <translation>顾客付款金额 (F11)</translation>
    </message>
    <message>
        <source>Take</source>
        <translation>收款</translation>
    </message>
    <message>
        <source>Clear payments</source>
        <translation>清除收款</translation>
    </message>
    <message>
        <source>Tendered</source>
        <translation>收款</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>找零</translation>
    </message>
    <message>
        <source>Points to earn</source>
        <translation>可得积分</translation>
    </message>
    <message>
        <source>Complete sale (F12)</source>
        <translation>完成结账 (F12)</translation>
    </message>
    <message>
        <source>Choose a line of the basket first.</source>
        <translation>请先选择购物篮中的一行商品。</translation>
    </message>
    <message>
        <source>Sale suspended. Resume it from the list (Ctrl+U).</source>
        <translation>已挂单。可在取单列表中取回 (Ctrl+U)。</translation>
    </message>
    <message>
        <source>Resume (%1) Ctrl+U</source>
        <translation>取单 (%1) Ctrl+U</translation>
    </message>
    <message>
        <source>%1 still to pay</source>
        <translation>还需付 %1</translation>
    </message>
    <message>
        <source>card scanned</source>
        <translation>已扫会员卡</translation>
    </message>
    <message>
        <source>member code scanned</source>
        <translation>已扫会员码</translation>
    </message>
    <message>
        <source>one-time code verified</source>
        <translation>验证码已验证</translation>
    </message>
    <message>
        <source>number typed: earns points; spending needs the card, member code or a one-time code</source>
        <translation>手输号码：可积分；用积分须出示会员卡、会员码或验证码</translation>
    </message>
    <message>
        <source>Offline: using this till's copy</source>
        <translation>离线：使用本机资料</translation>
    </message>
    <message>
        <source>No member identified</source>
        <translation>未识别会员</translation>
    </message>
    <message>
        <source>Balance: %1 points</source>
        <translation>余额：%1 积分</translation>
    </message>
    <message>
        <source>(owes %1 points from a refund)</source>
        <translation>（因退货欠 %1 积分）</translation>
    </message>
    <message>
        <source>%1 points expire within %2 days (first on %3)</source>
        <translation>%1 积分将在 %2 天内到期（最早 %3）</translation>
    </message>
    <message>
        <source>%1 more points to %2</source>
        <translation>还差 %1 积分升至%2</translation>
    </message>
    <message>
        <source>[new]</source>
        <translation>[新品]</translation>
    </message>
    <message>
        <source>(discount %1)</source>
        <translation>(折扣 %1)</translation>
    </message>
    <message>
        <source>Up to %1 points</source>
        <translation>最多可用 %1 积分</translation>
    </message>
    <message>
        <source>Identify a member to earn points</source>
        <translation>识别会员后可积分</translation>
    </message>
    <message>
        <source>Eligible amount: %1</source>
        <translation>可积分金额：%1</translation>
    </message>
    <message>
        <source>Multipliers: %1</source>
        <translation>积分倍数：%1</translation>
    </message>
    <message>
        <source>Purchase points: %1</source>
        <translation>消费积分：%1</translation>
    </message>
    <message>
        <source>Bonus %1: +%2</source>
        <translation>奖励 %1：+%2</translation>
    </message>
    <message>
        <source>Capped at the most points one sale may earn</source>
        <translation>已达单笔积分上限</translation>
    </message>
    <message>
        <source>Daily earning cap reached: %1 points not credited; the sale is flagged for review</source>
        <translation>已达每日积分上限：%1 积分未入账，本单已标记待审核</translation>
    </message>
    <message>
        <source>A one-time code was sent to %1's phone %2 (valid %3 minutes). Type the code the member reads out.</source>
        <translation>验证码已发送到%1的手机 %2（%3 分钟内有效）。请输入会员念出的验证码。</translation>
    </message>
    <message>
        <source>One-time code sent.</source>
        <translation>验证码已发送。</translation>
    </message>
    <message>
        <source>Code verified: the member may pay with points.</source>
        <translation>验证码正确：会员可以用积分支付。</translation>
    </message>
    <message>
        <source>Check-in +%1</source>
        <translation>签到 +%1</translation>
    </message>
    <message>
        <source>Manager approval</source>
        <translation>店长授权</translation>
    </message>
    <message>
        <source>Receipt %1: paid %2</source>
        <translation>小票 %1：实收 %2</translation>
    </message>
    <message>
        <source>change %1</source>
        <translation>找零 %1</translation>
    </message>
    <message>
        <source>%1 points credited, %2 redeemed, balance %3</source>
        <translation>获得 %1 积分，抵用 %2 积分，余额 %3</translation>
    </message>
    <message>
        <source>Sale complete. The receipt is queued for printing.</source>
        <translation>结账完成，小票已加入打印队列。</translation>
    </message>
</context>
<context>
    <name>CheckoutViewModel</name>
    <message>
        <source>Receipt %1: refunds are made on the Refunds screen (F7).</source>
        <translation>小票 %1：退货请到“退货”页面办理 (F7)。</translation>
    </message>
    <message>
        <source>Complete or suspend the current sale first.</source>
        <translation>请先完成或挂起当前这笔销售。</translation>
    </message>
    <message>
        <source>A discount above the store's limit (lines %1): a store manager must approve it.</source>
        <translation>折扣超过门店限额（第 %1 行）：需店长批准。</translation>
    </message>
    <message>
        <source>Headquarters has not been reachable for a while: this till has redeemed %1 of its %2 offline points today. A store manager must approve paying %3 points.</source>
        <translation>总部已有一段时间无法连接：本机今天已兑换离线额度 %2 积分中的 %1 积分。使用 %3 积分支付需要店长授权。</translation>
    </message>
    <message>
        <source>Identify the member first (card or phone number).</source>
        <translation>请先识别会员（卡号或手机号）。</translation>
    </message>
</context>
<context>
    <name>CustomerDisplayViewModel</name>
    <message>
        <source>day %1 of every month</source>
        <translation>每月%1日</translation>
    </message>
    <message>
        <source>every %1</source>
        <translation>每%1</translation>
    </message>
    <message>
        <source>%1 to %2</source>
        <translation>%1 至 %2</translation>
    </message>
    <message>
        <source>from %1</source>
        <translation>%1 起</translation>
    </message>
    <message>
        <source>until %1</source>
        <translation>%1 前</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>Monday</source>
        <translation>周一</translation>
    </message>
    <message>
        <source>Tuesday</source>
        <translation>周二</translation>
    </message>
    <message>
        <source>Wednesday</source>
        <translation>周三</translation>
    </message>
    <message>
        <source>Thursday</source>
        <translation>周四</translation>
    </message>
    <message>
        <source>Friday</source>
        <translation>周五</translation>
    </message>
    <message>
        <source>Saturday</source>
        <translation>周六</translation>
    </message>
    <message>
        <source>Sunday</source>
        <translation>周日</translation>
    </message>
    <message>
        <source>%1 (%2): points ×%3</source>
        <translation>%1（%2）：积分 ×%3</translation>
    </message>
    <message>
        <source>%1: points ×%2</source>
        <translation>%1：积分 ×%2</translation>
    </message>
    <message>
        <source>: %1</source>
        <translation>：%1</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Members earn points: show your member code</source>
        <translation>会员消费得积分：请出示会员码</translation>
    </message>
    <message>
        <source>%1 more points to %2</source>
        <translation>还差 %1 积分升至%2</translation>
    </message>
    <message>
        <source>This sale makes you %1</source>
        <translation>本单后升级为%1</translation>
    </message>
    <message>
        <source>%1 more points for %2</source>
        <translation>再攒 %1 积分可兑换 %2</translation>
    </message>
    <message>
        <source>cap reached</source>
        <translation>已达上限</translation>
    </message>
    <message>
        <source>Thank you!</source>
        <translation>谢谢惠顾！</translation>
    </message>
    <message>
        <source>Become a member next time and earn points on every purchase.</source>
        <translation>下次成为会员，每笔消费都能积分。</translation>
    </message>
    <message>
        <source>%1 points earned. Balance: %2 points.</source>
        <translation>本次获得 %1 积分，当前余额 %2 积分。</translation>
    </message>
    <message>
        <source>Welcome to %1!</source>
        <translation>恭喜升级为%1！</translation>
    </message>
</context>
<context>
    <name>CustomerDisplayWindow</name>
    <message>
        <source>Customer display</source>
        <translation>客显</translation>
    </message>
    <message>
        <source>Scan to join and earn points today</source>
        <translation>扫码注册会员，今天就开始积分</translation>
    </message>
    <message>
        <source>Member offers</source>
        <translation>会员专享</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>Points this sale</source>
        <translation>本单可得积分</translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation>欢迎光临</translation>
    </message>
    <message>
        <source>Your purchase</source>
        <translation>您的购物清单</translation>
    </message>
    <message>
        <source>Thank you</source>
        <translation>谢谢惠顾</translation>
    </message>
    <message>
        <source>[new]</source>
        <translation>[新品]</translation>
    </message>
    <message>
        <source>To pay: %1</source>
        <translation>应付：%1</translation>
    </message>
    <message>
        <source>Balance after this sale: %1 points</source>
        <translation>本单后积分余额：%1</translation>
    </message>
</context>
<context>
    <name>DiscountDialog</name>
    <message>
        <source>Line discount</source>
        <translation>单品折扣</translation>
    </message>
    <message>
        <source>%1, line amount %2: a percentage (e.g. 10%) or an amount in yuan (e.g. 5.00)</source>
        <translation>%1，本行金额 %2：输入百分比（如 10%）或金额（元，如 5.00）</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>取消 (Esc)</translation>
    </message>
    <message>
        <source>Apply (Enter)</source>
        <translation>确定 (Enter)</translation>
    </message>
</context>
<context>
    <name>DonateDialog</name>
    <message>
        <source>Donate points</source>
        <translation>积分捐赠</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>关闭 (Esc)</translation>
    </message>
    <message>
        <source>Donate (Enter)</source>
        <translation>捐赠 (Enter)</translation>
    </message>
    <message>
        <source>No donation campaign runs at this store today.</source>
        <translation>本店今天没有进行中的捐赠活动。</translation>
    </message>
    <message>
        <source>Donated here so far: %1 of %2 points (%3%), until %4</source>
        <translation>本机已记录捐赠：%1 / %2 积分（%3%），截止 %4</translation>
    </message>
    <message>
        <source>in multiples of %1</source>
        <translation>须为 %1 的整数倍</translation>
    </message>
    <message>
        <source>%1 %2: balance %3 points</source>
        <translation>%1 %2：余额 %3 积分</translation>
    </message>
    <message>
        <source>Identify the member first (card or phone number).</source>
        <translation>请先识别会员（卡号或手机号）。</translation>
    </message>
    <message>
        <source>= %1</source>
        <translation>= %1</translation>
    </message>
    <message>
        <source>Donate %1 points (%2) to %3?</source>
        <translation>向「%3」捐赠 %1 积分（折合 %2）？</translation>
    </message>
    <message>
        <source>%1's balance after the donation: %2 points</source>
        <translation>%1 捐赠后余额：%2 积分</translation>
    </message>
    <message>
        <source>A donation is not refunded.</source>
        <translation>捐赠的积分不予退回。</translation>
    </message>
    <message>
        <source>Donate</source>
        <translation>捐赠</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Not donated: the points stay with the member.</source>
        <translation>未捐赠：积分仍归会员所有。</translation>
    </message>
    <message>
        <source>Thank you! %1 points (%2) donated to %3 (%4).</source>
        <translation>谢谢！已向「%3」捐赠 %1 积分（折合 %2），编号 %4。</translation>
    </message>
    <message>
        <source>The slip is queued for printing.</source>
        <translation>捐赠凭条已加入打印队列。</translation>
    </message>
    <message>
        <source>Manager approval</source>
        <translation>店长授权</translation>
    </message>
</context>
<context>
    <name>DonationViewModel</name>
    <message>
        <source>Identify the member first (card or phone number).</source>
        <translation>请先识别会员（卡号或手机号）。</translation>
    </message>
    <message>
        <source>Headquarters has not been reachable for a while: this till has redeemed %1 of its %2 offline points today. A store manager must approve this donation.</source>
        <translation>总部已有一段时间无法连接：本机今天已使用离线额度 %2 积分中的 %1 积分。此次捐赠须由店长审批。</translation>
    </message>
    <message>
        <source>Donations to this campaign are in multiples of %1 points.</source>
        <translation>本活动的捐赠积分须为 %1 的整数倍。</translation>
    </message>
    <message>
        <source>Not enough points: the balance is %1.</source>
        <translation>积分不足：余额为 %1。</translation>
    </message>
    <message>
        <source>Enter the points to donate: a whole number above 0.</source>
        <translation>请输入要捐赠的积分：大于 0 的整数。</translation>
    </message>
    <message>
        <source>This campaign ended on %1.</source>
        <translation>本活动已于 %1 结束。</translation>
    </message>
    <message>
        <source>This campaign starts on %1.</source>
        <translation>本活动将于 %1 开始。</translation>
    </message>
    <message>
        <source>This campaign does not run at this store now (%1).</source>
        <translation>本活动目前不在本店进行（%1）。</translation>
    </message>
</context>
<context>
    <name>DrawDialog</name>
    <message>
        <source>Lottery draw</source>
        <translation>积分抽奖</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>关闭 (Esc)</translation>
    </message>
    <message>
        <source>Draw (Enter)</source>
        <translation>抽奖 (Enter)</translation>
    </message>
    <message>
        <source>%1 (%2 points a draw)</source>
        <translation>%1（每次 %2 积分）</translation>
    </message>
    <message>
        <source>No lottery draw runs at this store today.</source>
        <translation>本店今天没有进行中的积分抽奖。</translation>
    </message>
    <message>
        <source>Identify the member first (card or phone number).</source>
        <translation>请先识别会员（卡号或手机号）。</translation>
    </message>
    <message>
        <source>Draw in %1 for %2 points?</source>
        <translation>参加 %1，消耗 %2 积分？</translation>
    </message>
    <message>
        <source>%1's balance after the draw: %2 points</source>
        <translation>%1 抽奖后余额：%2 积分</translation>
    </message>
    <message>
        <source>%1 a day</source>
        <translation>每天 %1 次</translation>
    </message>
    <message>
        <source>%1 in all</source>
        <translation>共 %1 次</translation>
    </message>
    <message>
        <source>Draws per member: %1</source>
        <translation>每位会员可抽：%1</translation>
    </message>
    <message>
        <source>Better luck next time</source>
        <translation>谢谢参与</translation>
    </message>
    <message>
        <source>The prize drawn is gone at this store.</source>
        <translation>抽中的奖品本店已发完。</translation>
    </message>
    <message>
        <source>+%1 points</source>
        <translation>+%1 积分</translation>
    </message>
    <message>
        <source>Coupon %1</source>
        <translation>优惠券 %1</translation>
    </message>
    <message>
        <source>valid until %1</source>
        <translation>有效期至 %1</translation>
    </message>
    <message>
        <source>Hand over the gift (%1).</source>
        <translation>请交给会员礼品（%1）。</translation>
    </message>
    <message>
        <source>%1 %2: balance %3 points</source>
        <translation>%1 %2：余额 %3 积分</translation>
    </message>
    <message>
        <source>Draw %1, number %2 of %3. The slip is queued for printing.</source>
        <translation>抽奖单 %1，抽奖号 %2 / %3。抽奖单已排队打印。</translation>
    </message>
    <message>
        <source>Draw again (Enter)</source>
        <translation>再抽一次 (Enter)</translation>
    </message>
    <message>
        <source>Manager approval</source>
        <translation>店长授权</translation>
    </message>
</context>
<context>
    <name>DrawViewModel</name>
    <message>
        <source>Identify the member first (card or phone number).</source>
        <translation>请先识别会员（卡号或手机号）。</translation>
    </message>
    <message>
        <source>Headquarters has not been reachable for a while: this till has redeemed %1 of its %2 offline points today. A store manager must approve this draw.</source>
        <translation>总部已有一段时间无法连接：本收银机今天已使用离线额度 %2 积分中的 %1 积分。此次抽奖需店长批准。</translation>
    </message>
    <message>
        <source>The member has had the %1 draws allowed today.</source>
        <translation>该会员今天已抽满 %1 次。</translation>
    </message>
    <message>
        <source>The member has had the %1 draws this campaign allows.</source>
        <translation>该会员已抽满本活动允许的 %1 次。</translation>
    </message>
    <message>
        <source>Not enough points: a draw costs %1, the balance is %2.</source>
        <translation>积分不足：每次抽奖需 %1 积分，余额 %2。</translation>
    </message>
    <message>
        <source>This draw ended on %1.</source>
        <translation>本抽奖活动已于 %1 结束。</translation>
    </message>
    <message>
        <source>This draw starts on %1.</source>
        <translation>本抽奖活动 %1 开始。</translation>
    </message>
    <message>
        <source>This draw cannot run at this store now (%1).</source>
        <translation>本店现在不能进行此抽奖（%1）。</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>单价</translation>
    </message>
    <message>
        <source>Member</source>
        <translation>会员</translation>
    </message>
    <message>
        <source>Referrer</source>
        <translation>推荐人</translation>
    </message>
    <message>
        <source>Phone number</source>
        <translation>手机号</translation>
    </message>
    <message>
        <source>Card number</source>
        <translation>卡号</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <source>Coupon</source>
        <translation>优惠券</translation>
    </message>
    <message>
        <source>Gift</source>
        <translation>礼品</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>店长</translation>
    </message>
    <message>
        <source>Manager PIN</source>
        <translation>店长密码</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Basket</source>
        <translation>购物车</translation>
    </message>
    <message>
        <source>Receipt number</source>
        <translation>小票号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Birthday</source>
        <translation>生日</translation>
    </message>
    <message>
        <source>Staff number</source>
        <translation>工号</translation>
    </message>
    <message>
        <source>Payment method</source>
        <translation>支付方式</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>支付</translation>
    </message>
    <message>
        <source>Amount tendered</source>
        <translation>收款金额</translation>
    </message>
    <message>
        <source>Refund payment</source>
        <translation>退款方式</translation>
    </message>
    <message>
        <source>Stock</source>
        <translation>库存</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>Shift</source>
        <translation>班次</translation>
    </message>
    <message>
        <source>Loyalty program</source>
        <translation>积分方案</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>数据库</translation>
    </message>
    <message>
        <source>Award</source>
        <translation>奖励</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>PIN again</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <source>Product code</source>
        <translation>商品编码</translation>
    </message>
    <message>
        <source>Barcode</source>
        <translation>条码</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Date and time</source>
        <translation>日期时间</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Tier</source>
        <translation>等级</translation>
    </message>
    <message>
        <source>Member code</source>
        <translation>会员码</translation>
    </message>
    <message>
        <source>Scan</source>
        <translation>扫码</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>From date</source>
        <translation>开始日期</translation>
    </message>
    <message>
        <source>To date</source>
        <translation>结束日期</translation>
    </message>
    <message>
        <source>Group by</source>
        <translation>分组</translation>
    </message>
    <message>
        <source>Segment</source>
        <translation>分群</translation>
    </message>
    <message>
        <source>Cash counted</source>
        <translation>实点现金</translation>
    </message>
    <message>
        <source>One-time code</source>
        <translation>验证码</translation>
    </message>
    <message>
        <source>Member present</source>
        <translation>会员到场</translation>
    </message>
    <message>
        <source>Redemption number</source>
        <translation>兑换单号</translation>
    </message>
    <message>
        <source>Something went wrong. The details were written to the log; please call the store manager.</source>
        <translation>系统出错，详细信息已写入日志，请联系店长。</translation>
    </message>
    <message>
        <source>No member with this card or phone number.</source>
        <translation>未找到该卡号或手机号对应的会员。</translation>
    </message>
    <message>
        <source>This member code has expired. Ask the member to refresh it.</source>
        <translation>会员码已过期，请会员刷新后再出示。</translation>
    </message>
    <message>
        <source>This member code is not valid yet. Check the till's clock.</source>
        <translation>会员码尚未生效，请检查收银机的时间。</translation>
    </message>
    <message>
        <source>This member code is not genuine (the signature does not match).</source>
        <translation>会员码不是真实的（签名不符）。</translation>
    </message>
    <message>
        <source>This member code (or its card) was revoked.</source>
        <translation>该会员码（或其会员卡）已被作废。</translation>
    </message>
    <message>
        <source>This is not a readable member code.</source>
        <translation>无法识别的会员码。</translation>
    </message>
    <message>
        <source>Member codes cannot be checked: no member QR key is set up (Settings).</source>
        <translation>无法校验会员码：尚未设置会员码公钥（设置）。</translation>
    </message>
    <message>
        <source>This member card was revoked. Ask for the phone number or the member code.</source>
        <translation>该会员卡已作废，请改用手机号或会员码。</translation>
    </message>
    <message>
        <source>Unknown code %1: not a member, product, coupon, gift or receipt code.</source>
        <translation>无法识别的条码 %1：不是会员、商品、优惠券、礼品或小票条码。</translation>
    </message>
    <message>
        <source>Ask the member to show their card or member code, or send a one-time code (a phone or card number typed in may earn points but not spend them).</source>
        <translation>请会员出示会员卡或会员码，或发送验证码（手输的手机号或卡号只能积分，不能用积分）。</translation>
    </message>
    <message>
        <source>No one-time code service is set up for this store (Settings): ask the member to show their card or member code.</source>
        <translation>本店未设置验证码服务（设置）：请会员出示会员卡或会员码。</translation>
    </message>
    <message>
        <source>The one-time code could not be sent: this needs the network and the chain's code service. Ask the member to show their card or member code.</source>
        <translation>验证码发送失败：发送验证码需要网络和总部的验证码服务。请会员出示会员卡或会员码。</translation>
    </message>
    <message>
        <source>Wrong code: %1 tries left.</source>
        <translation>验证码错误：还可以再试 %1 次。</translation>
    </message>
    <message>
        <source>Three wrong codes: this code is locked. Send a new code, or ask for the card or member code.</source>
        <translation>验证码连续输错三次，已锁定。请重新发送验证码，或请会员出示会员卡或会员码。</translation>
    </message>
    <message>
        <source>No valid code: it expired or none was sent. Send a new code.</source>
        <translation>没有有效的验证码（已过期或未发送）。请重新发送验证码。</translation>
    </message>
    <message>
        <source>%1 yuan still to pay: take more cash or another payment, or press Clear payments.</source>
        <translation>还差 %1 元：请再收现金或其他方式付款，或按“清除收款”。</translation>
    </message>
    <message>
        <source>Card and mobile payments may not exceed the %1 yuan due (they give no change).</source>
        <translation>银行卡和移动支付不能超过应付的 %1 元（不能找零）。</translation>
    </message>
    <message>
        <source>Say what the member did (e.g. the survey's name): this award needs a reason.</source>
        <translation>请说明会员做了什么（例如问卷名称）：此奖励需要填写原因。</translation>
    </message>
    <message>
        <source>Checked in today already: once a day.</source>
        <translation>今天已签到：每天一次。</translation>
    </message>
    <message>
        <source>Check-in needs the member code from the member's phone.</source>
        <translation>签到需要会员手机上的会员码。</translation>
    </message>
    <message>
        <source>The To date %1 is before the From date %2.</source>
        <translation>结束日期 %1 早于开始日期 %2。</translation>
    </message>
    <message>
        <source>A report covers at most %1 days: choose a later From date.</source>
        <translation>一份报表最多 %1 天：请选一个更晚的开始日期。</translation>
    </message>
    <message>
        <source>No product with this code.</source>
        <translation>未找到该编码对应的商品。</translation>
    </message>
    <message>
        <source>No sale with this receipt number.</source>
        <translation>未找到该小票号对应的销售记录。</translation>
    </message>
    <message>
        <source>Unknown staff number.</source>
        <translation>工号不存在。</translation>
    </message>
    <message>
        <source>Points may pay at most %1% of this sale.</source>
        <translation>积分最多可抵扣本单金额的 %1%。</translation>
    </message>
    <message>
        <source>The member reached the monthly redemption cap of %1 points.</source>
        <translation>该会员已达每月积分使用上限（%1 积分）。</translation>
    </message>
    <message>
        <source>Not enough points: the balance is %1.</source>
        <translation>积分不足：余额为 %1。</translation>
    </message>
    <message>
        <source>At least %1 points per payment.</source>
        <translation>每次至少使用 %1 积分。</translation>
    </message>
    <message>
        <source>Points are paid in steps of %1.</source>
        <translation>积分须按 %1 的整数倍使用。</translation>
    </message>
    <message>
        <source>This gift is out of stock.</source>
        <translation>该礼品已无库存。</translation>
    </message>
    <message>
        <source>The member has had this gift the most times allowed this month.</source>
        <translation>该会员本月兑换此礼品已达次数上限。</translation>
    </message>
    <message>
        <source>This member is frozen.</source>
        <translation>该会员已冻结。</translation>
    </message>
    <message>
        <source>This coupon was used already (receipt %1).</source>
        <translation>该优惠券已使用（小票 %1）。</translation>
    </message>
    <message>
        <source>This coupon belongs to another member.</source>
        <translation>该优惠券属于其他会员。</translation>
    </message>
    <message>
        <source>This coupon expired on %1.</source>
        <translation>该优惠券已于 %1 过期。</translation>
    </message>
    <message>
        <source>This coupon needs a minimum spend of %1 yuan.</source>
        <translation>该优惠券需满 %1 元方可使用。</translation>
    </message>
    <message>
        <source>This coupon cannot be used: %1</source>
        <translation>该优惠券不可用：%1</translation>
    </message>
    <message>
        <source>A manager must approve this (number and PIN).</source>
        <translation>此操作需店长授权（工号和密码）。</translation>
    </message>
    <message>
        <source>Too many wrong PINs: locked until %1.</source>
        <translation>密码错误次数过多，已锁定至 %1。</translation>
    </message>
    <message>
        <source>The two PINs differ: type the same PIN twice.</source>
        <translation>两次输入的密码不一致：请输入相同的密码两次。</translation>
    </message>
    <message>
        <source>A PIN is 4 to 8 digits.</source>
        <translation>密码为 4 到 8 位数字。</translation>
    </message>
    <message>
        <source>A staff number is 3 to 8 digits.</source>
        <translation>工号为 3 到 8 位数字。</translation>
    </message>
    <message>
        <source>No staff member with this number.</source>
        <translation>没有该工号的员工。</translation>
    </message>
    <message>
        <source>A manager cannot disable their own account.</source>
        <translation>店长不能停用自己的账号。</translation>
    </message>
    <message>
        <source>Above %1 points a second manager must approve: not the one asking.</source>
        <translation>超过 %1 积分须由另一位店长审批（不能是申请人本人）。</translation>
    </message>
    <message>
        <source>Wrong PIN.</source>
        <translation>密码错误。</translation>
    </message>
    <message>
        <source>Only a store manager may do this.</source>
        <translation>仅店长可执行此操作。</translation>
    </message>
    <message>
        <source>The database file is damaged: nothing more is written to it. Close the window and restore the last checked backup (pos-app restore; the daily copies are in backups/auto), then call the store's IT person.</source>
        <translation>数据库文件已损坏：不再向其中写入任何内容。请关闭窗口并恢复最近一次校验过的备份（pos-app restore；每日备份在 backups/auto 中），然后联系门店的 IT 人员。</translation>
    </message>
    <message>
        <source>The disk is full: nothing was written. Free some space and try again.</source>
        <translation>磁盘已满：未写入任何内容。请释放一些空间后重试。</translation>
    </message>
    <message>
        <source>The database file is read-only: nothing was written. Call the store's IT person.</source>
        <translation>数据库文件为只读：未写入任何内容。请联系门店的 IT 人员。</translation>
    </message>
    <message>
        <source>The cashier window is already open on this database (or a restore is running). Use the window that is open, or close it first.</source>
        <translation>收银窗口已在此数据库上打开（或正在恢复备份）。请使用已打开的窗口，或先将其关闭。</translation>
    </message>
    <message>
        <source>This redemption was cancelled already.</source>
        <translation>该兑换已撤销过。</translation>
    </message>
    <message>
        <source>Only redemptions of the open shift can be cancelled; this one is from an earlier shift.</source>
        <translation>只能撤销本班次的兑换；这笔兑换属于之前的班次。</translation>
    </message>
    <message>
        <source>The coupon of this gift was used in a sale already: the gift cannot be cancelled.</source>
        <translation>该礼品的优惠券已在销售中使用，不能撤销兑换。</translation>
    </message>
    <message>
        <source>This phone number is already a member.</source>
        <translation>该手机号已是会员。</translation>
    </message>
    <message>
        <source>%1 already exists.</source>
        <translation>%1已存在。</translation>
    </message>
    <message>
        <source>%1 is not valid.</source>
        <translation>%1无效。</translation>
    </message>
    <message>
        <source>Not allowed: %1</source>
        <translation>不允许：%1</translation>
    </message>
    <message>
        <source>The database cannot be used: %1</source>
        <translation>数据库无法使用：%1</translation>
    </message>
</context>
<context>
    <name>FirstStartDialog</name>
    <message>
        <source>First start</source>
        <translation>首次启动</translation>
    </message>
    <message>
        <source>This till has no data yet. Enter the store and terminal numbers headquarters gave you and the first manager's account. The reference loyalty program is loaded; managers add cashiers afterwards.</source>
        <translation>这台收银机还没有数据。请输入总部分配的门店编号和终端编号，以及第一位店长的账号。系统会载入示例积分方案；收银员由店长随后添加。</translation>
    </message>
    <message>
        <source>Data folder: %1</source>
        <translation>数据文件夹：%1</translation>
    </message>
    <message>
        <source>Store number</source>
        <translation>门店编号</translation>
    </message>
    <message>
        <source>e.g. S001</source>
        <translation>例如 S001</translation>
    </message>
    <message>
        <source>Terminal number</source>
        <translation>终端编号</translation>
    </message>
    <message>
        <source>e.g. T01</source>
        <translation>例如 T01</translation>
    </message>
    <message>
        <source>Manager number</source>
        <translation>店长工号</translation>
    </message>
    <message>
        <source>3 to 8 digits, e.g. 9001</source>
        <translation>3 到 8 位数字，例如 9001</translation>
    </message>
    <message>
        <source>Manager name</source>
        <translation>店长姓名</translation>
    </message>
    <message>
        <source>Manager PIN</source>
        <translation>店长密码</translation>
    </message>
    <message>
        <source>4 to 8 digits</source>
        <translation>4 到 8 位数字</translation>
    </message>
    <message>
        <source>PIN again</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <source>Quit (Esc)</source>
        <translation>退出 (Esc)</translation>
    </message>
    <message>
        <source>Start (Enter)</source>
        <translation>开始 (Enter)</translation>
    </message>
    <message>
        <source>The store number is 1 to 16 letters, digits, - or _.</source>
        <translation>门店编号为 1 到 16 个字母、数字、- 或 _。</translation>
    </message>
    <message>
        <source>The terminal number is 1 to 16 letters, digits, - or _.</source>
        <translation>终端编号为 1 到 16 个字母、数字、- 或 _。</translation>
    </message>
    <message>
        <source>The manager number is 3 to 8 digits.</source>
        <translation>店长工号为 3 到 8 位数字。</translation>
    </message>
    <message>
        <source>The PIN is 4 to 8 digits.</source>
        <translation>密码为 4 到 8 位数字。</translation>
    </message>
    <message>
        <source>The two PINs differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
    <message>
        <source>Fill in every field.</source>
        <translation>请填写所有栏目。</translation>
    </message>
</context>
<context>
    <name>Form</name>
    <message>
        <source>Cancel (Esc)</source>
        <translation>取消 (Esc)</translation>
    </message>
</context>
<context>
    <name>GiftCancelDialog</name>
    <message>
        <source>Cancel redemption</source>
        <translation>撤销兑换</translation>
    </message>
    <message>
        <source>This shift's redemptions (newest first):</source>
        <translation>本班次的兑换（最新的在前）：</translation>
    </message>
    <message>
        <source>Keep it</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>Cancel %1 (%2)? %3 points go back to the member.</source>
        <translation>撤销 %1（%2）？%3 积分将退还给会员。</translation>
    </message>
    <message>
        <source>Hand back %1 in cash.</source>
        <translation>退还现金 %1。</translation>
    </message>
    <message>
        <source>Its coupon %1 can no longer be used.</source>
        <translation>其优惠券 %1 将作废，不能再使用。</translation>
    </message>
    <message>
        <source>Balance after: %1 points</source>
        <translation>撤销后余额：%1 积分</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>原因：</translation>
    </message>
    <message>
        <source>A reason is needed</source>
        <translation>请填写原因</translation>
    </message>
</context>
<context>
    <name>GiftsPage</name>
    <message>
        <source>Member</source>
        <translation>会员</translation>
    </message>
    <message>
        <source>Clear (Esc)</source>
        <translation>清除 (Esc)</translation>
    </message>
    <message>
        <source>Send code (Ctrl+O)</source>
        <translation>发送验证码 (Ctrl+O)</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Gift</source>
        <translation>礼品</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <source>Plus cash</source>
        <translation>加付现金</translation>
    </message>
    <message>
        <source>Stock</source>
        <translation>库存</translation>
    </message>
    <message>
        <source>Approval</source>
        <translation>授权</translation>
    </message>
    <message>
        <source>Redeem (Enter)</source>
        <translation>兑换 (Enter)</translation>
    </message>
    <message>
        <source>Donate (Ctrl+J)</source>
        <translation>捐赠 (Ctrl+J)</translation>
    </message>
    <message>
        <source>Draw (Ctrl+L)</source>
        <translation>抽奖 (Ctrl+L)</translation>
    </message>
    <message>
        <source>Last redemption</source>
        <translation>上一笔兑换</translation>
    </message>
    <message>
        <source>Cancel redemption (Ctrl+Z)</source>
        <translation>撤销兑换 (Ctrl+Z)</translation>
    </message>
    <message>
        <source>Choose a gift first.</source>
        <translation>请先选择礼品。</translation>
    </message>
    <message>
        <source>Redeem %1 %2 for %3 points?</source>
        <translation>用 %3 积分兑换 %1 %2？</translation>
    </message>
    <message>
        <source>The member also pays %1.</source>
        <translation>会员另需支付 %1。</translation>
    </message>
    <message>
        <source>%1's balance after: %2 points</source>
        <translation>%1 兑换后余额：%2 积分</translation>
    </message>
    <message>
        <source>Redeem gift</source>
        <translation>兑换礼品</translation>
    </message>
    <message>
        <source>Redeem</source>
        <translation>兑换</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Not redeemed: the points stay with the member.</source>
        <translation>未兑换：积分仍在会员账户中。</translation>
    </message>
    <message>
        <source>Identify the member first (card or phone number).</source>
        <translation>请先识别会员（卡号或手机号）。</translation>
    </message>
    <message>
        <source>Hand back %1 in cash.</source>
        <translation>退还现金 %1。</translation>
    </message>
    <message>
        <source>Not cancelled: the redemption stands.</source>
        <translation>未撤销：兑换保持不变。</translation>
    </message>
    <message>
        <source>%1 cancelled (%2): %3 points back, balance %4</source>
        <translation>%1 已撤销（%2）：退还 %3 积分，余额 %4</translation>
    </message>
    <message>
        <source>Redemption cancelled. The slip is queued for printing.</source>
        <translation>兑换已撤销。撤销单已加入打印队列。</translation>
    </message>
    <message>
        <source>Offline: using this till's copy</source>
        <translation>离线：使用本机资料</translation>
    </message>
    <message>
        <source>No member identified</source>
        <translation>未识别会员</translation>
    </message>
    <message>
        <source>card scanned</source>
        <translation>已扫会员卡</translation>
    </message>
    <message>
        <source>member code scanned</source>
        <translation>已扫会员码</translation>
    </message>
    <message>
        <source>one-time code verified</source>
        <translation>验证码已验证</translation>
    </message>
    <message>
        <source>number typed: a gift needs the card, member code or a one-time code</source>
        <translation>手输号码：兑换礼品须出示会员卡、会员码或验证码</translation>
    </message>
    <message>
        <source>Balance: %1 points</source>
        <translation>余额：%1 积分</translation>
    </message>
    <message>
        <source>(owes %1 points from a refund)</source>
        <translation>（因退货欠 %1 积分）</translation>
    </message>
    <message>
        <source>out of stock</source>
        <translation>缺货</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>店长</translation>
    </message>
    <message>
        <source>Choose a gift, then Redeem.</source>
        <translation>请选择礼品，然后点击“兑换”。</translation>
    </message>
    <message>
        <source>%1 %2: %3 points</source>
        <translation>%1 %2：%3 积分</translation>
    </message>
    <message>
        <source>plus %1 cash to collect</source>
        <translation>另收现金 %1</translation>
    </message>
    <message>
        <source>a manager must approve</source>
        <translation>需店长授权</translation>
    </message>
    <message>
        <source>Manager approval</source>
        <translation>店长授权</translation>
    </message>
    <message>
        <source>%1 redeemed (%2): %3 points, balance %4</source>
        <translation>已兑换 %1（%2）：%3 积分，余额 %4</translation>
    </message>
    <message>
        <source>approved by %1</source>
        <translation>由 %1 授权</translation>
    </message>
    <message>
        <source>No redemption to cancel: none of this shift's gifts can be cancelled.</source>
        <translation>没有可撤销的兑换：本班次没有可以撤销的礼品兑换。</translation>
    </message>
    <message>
        <source>Coupon %1</source>
        <translation>优惠券 %1</translation>
    </message>
    <message>
        <source>valid until %1</source>
        <translation>有效期至 %1</translation>
    </message>
    <message>
        <source>Collect %1 in cash.</source>
        <translation>请收取现金 %1。</translation>
    </message>
    <message>
        <source>Gift redeemed. The coupon is queued for printing.</source>
        <translation>兑换成功，优惠券已加入打印队列。</translation>
    </message>
    <message>
        <source>Gift redeemed.</source>
        <translation>兑换成功。</translation>
    </message>
    <message>
        <source>A one-time code was sent to %1's phone %2 (valid %3 minutes). Type the code the member reads out.</source>
        <translation>验证码已发送到%1的手机 %2（%3 分钟内有效）。请输入会员念出的验证码。</translation>
    </message>
    <message>
        <source>One-time code sent.</source>
        <translation>验证码已发送。</translation>
    </message>
    <message>
        <source>Code verified: the member may redeem gifts.</source>
        <translation>验证码正确：会员可以兑换礼品。</translation>
    </message>
</context>
<context>
    <name>GiftsViewModel</name>
    <message>
        <source>Identify the member first (card or phone number).</source>
        <translation>请先识别会员（卡号或手机号）。</translation>
    </message>
    <message>
        <source>Headquarters has not been reachable for a while: this till has redeemed %1 of its %2 offline points today. A store manager must approve %3 for %4 points.</source>
        <translation>总部已有一段时间无法连接：本机今天已兑换离线额度 %2 积分中的 %1 积分。兑换 %3（%4 积分）需要店长授权。</translation>
    </message>
    <message>
        <source>%1 costs %2 points: a store manager must approve this redemption.</source>
        <translation>%1 需 %2 积分，本次兑换需店长授权。</translation>
    </message>
    <message>
        <source>%1 was approved by a manager: a store manager must approve its cancellation.</source>
        <translation>%1 曾由店长批准：撤销也须店长批准。</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <source>Member check-in</source>
        <extracomment>how long a result stays on the screen before it asks for the next member (ms)</extracomment>
        <translation>会员签到</translation>
    </message>
    <message>
        <source>Scan your member code to check in</source>
        <translation>请扫描会员码签到</translation>
    </message>
    <message>
        <source>Member code</source>
        <translation>会员码</translation>
    </message>
    <message>
        <source>%1: checked in, +%2 points. Balance %3 points.</source>
        <translation>%1：签到成功，+%2 积分。积分余额 %3。</translation>
    </message>
</context>
<context>
    <name>LoginPage</name>
    <message>
        <source>e.g. 1001</source>
        <translation>如 1001</translation>
    </message>
    <message>
        <source>Staff number</source>
        <translation>工号</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Close shift</source>
        <translation>交班</translation>
    </message>
    <message>
        <source>Open shift</source>
        <translation>开班</translation>
    </message>
    <message>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <source>Bank card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <source>WeChat Pay</source>
        <translation>微信支付</translation>
    </message>
    <message>
        <source>Alipay</source>
        <translation>支付宝</translation>
    </message>
    <message>
        <source>The shift could not be closed.</source>
        <translation>无法交班。</translation>
    </message>
    <message>
        <source>Shift %1 closed.
Sales: %2 (with members: %3), takings %4 yuan
Points issued: %5, redeemed: %6
Gifts handed out: %7, refunds: %8</source>
        <translation>班次 %1 已交班。
销售：%2 笔（会员 %3 笔），收款 %4 元
积分发放：%5，积分兑换：%6
礼品兑换：%7 件，退货：%8 笔</translation>
    </message>
    <message>
        <source>Cash expected %1 yuan, counted %2 yuan</source>
        <translation>应有现金 %1 元，实点 %2 元</translation>
    </message>
    <message>
        <source>Over by %1 yuan</source>
        <translation>长款 %1 元</translation>
    </message>
    <message>
        <source>Short by %1 yuan</source>
        <translation>短款 %1 元</translation>
    </message>
    <message>
        <source>No difference</source>
        <translation>无差额</translation>
    </message>
    <message>
        <source>Shift report</source>
        <translation>交班报告</translation>
    </message>
</context>
<context>
    <name>MemberEntry</name>
    <message>
        <source>Scan the member code, or type card or phone number (F2)</source>
        <translation>会员码/卡号/手机号 (F2)</translation>
    </message>
    <message>
        <source>Identify</source>
        <translation>识别</translation>
    </message>
</context>
<context>
    <name>MembersPage</name>
    <message>
        <source>Phone, card number or name</source>
        <translation>手机号、卡号或姓名</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>New member</source>
        <translation>新增会员</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Freeze</source>
        <translation>冻结</translation>
    </message>
    <message>
        <source>Award (F4)</source>
        <translation>奖励积分 (F4)</translation>
    </message>
    <message>
        <source>Points and lots</source>
        <translation>积分与批次</translation>
    </message>
    <message>
        <source>History</source>
        <translation>积分明细</translation>
    </message>
    <message>
        <source>Tier and profile</source>
        <translation>等级与资料</translation>
    </message>
    <message>
        <source>Search for a member, or register a new one.</source>
        <translation>查询会员，或注册新会员。</translation>
    </message>
    <message>
        <source>Earned</source>
        <translation>获得日期</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>过期日期</translation>
    </message>
    <message>
        <source>Remaining</source>
        <translation>剩余积分</translation>
    </message>
    <message>
        <source>Days left</source>
        <translation>剩余天数</translation>
    </message>
    <message>
        <source>All kinds</source>
        <translation>全部类型</translation>
    </message>
    <message>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <source>To</source>
        <translation>至</translation>
    </message>
    <message>
        <source>A business date such as 2026-11-03; empty for no limit</source>
        <translation>营业日期，如 2026-11-03；留空表示不限</translation>
    </message>
    <message>
        <source>Filter</source>
        <translation>筛选</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>导出 CSV</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <source>Balance</source>
        <translation>余额</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>单号</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>操作员</translation>
    </message>
    <message>
        <source>Older entries</source>
        <translation>更早的记录</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Qualifying points</source>
        <translation>定级积分</translation>
    </message>
    <message>
        <source>Register a member</source>
        <translation>注册会员</translation>
    </message>
    <message>
        <source>Register (Enter)</source>
        <translation>注册 (Enter)</translation>
    </message>
    <message>
        <source>Mobile number</source>
        <translation>手机号</translation>
    </message>
    <message>
        <source>11 digits, e.g. 13812345678</source>
        <translation>11 位数字，如 13812345678</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Birthday</source>
        <translation>生日</translation>
    </message>
    <message>
        <source>Optional, e.g. 1990-05-18</source>
        <translation>选填，如 1990-05-18</translation>
    </message>
    <message>
        <source>Card number</source>
        <translation>卡号</translation>
    </message>
    <message>
        <source>Optional: a pre-printed card; empty issues a new number</source>
        <translation>选填：预制会员卡卡号；留空则发放新卡号</translation>
    </message>
    <message>
        <source>Referred by</source>
        <translation>推荐人</translation>
    </message>
    <message>
        <source>Optional: the referrer's card or phone number</source>
        <translation>选填：推荐人的卡号或手机号</translation>
    </message>
    <message>
        <source>The member agrees to the program's terms</source>
        <translation>会员已同意积分计划条款</translation>
    </message>
    <message>
        <source>Required: points, tiers and the store keeping these details for the program. Read the terms to the customer if asked.</source>
        <translation>必选：涉及积分、等级，以及门店为积分计划保存上述资料。顾客询问时请向其宣读条款。</translation>
    </message>
    <message>
        <source>Open the existing member</source>
        <translation>打开已有会员</translation>
    </message>
    <message>
        <source>Member registered</source>
        <translation>会员注册成功</translation>
    </message>
    <message>
        <source>Open member (Enter)</source>
        <translation>查看会员 (Enter)</translation>
    </message>
    <message>
        <source>Register another</source>
        <translation>继续注册</translation>
    </message>
    <message>
        <source>Back (Esc)</source>
        <translation>返回 (Esc)</translation>
    </message>
    <message>
        <source>Edit member</source>
        <translation>编辑会员</translation>
    </message>
    <message>
        <source>Save (Enter)</source>
        <translation>保存 (Enter)</translation>
    </message>
    <message>
        <source>Empty: not known</source>
        <translation>留空表示未知</translation>
    </message>
    <message>
        <source>A new mobile number takes the points with it: check it with the member.</source>
        <translation>更换手机号后，积分随会员转到新号码，请与会员核对。</translation>
    </message>
    <message>
        <source>Freeze member</source>
        <translation>冻结会员</translation>
    </message>
    <message>
        <source>Freeze (Enter)</source>
        <translation>冻结 (Enter)</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Required, e.g. card reported lost</source>
        <translation>必填，如：会员卡挂失</translation>
    </message>
    <message>
        <source>Scan a new card into Card number, or the referrer's card or member code into Referred by: click the field first.</source>
        <translation>新卡请扫入“卡号”，推荐人的卡或会员码请扫入“推荐人”：请先点一下该栏。</translation>
    </message>
    <message>
        <source>Scan ignored: finish the form or leave it (Esc) first.</source>
        <translation>扫码未处理：请先填完或退出 (Esc) 当前表单。</translation>
    </message>
    <message>
        <source>%1 will not be able to earn or use points until unfrozen.</source>
        <translation>解冻之前，%1 将无法获得或使用积分。</translation>
    </message>
    <message>
        <source>Unfreeze member</source>
        <translation>解冻会员</translation>
    </message>
    <message>
        <source>Unfreeze (Enter)</source>
        <translation>解冻 (Enter)</translation>
    </message>
    <message>
        <source>%1 will be able to earn and use points again.</source>
        <translation>%1 将恢复获得和使用积分。</translation>
    </message>
    <message>
        <source>The award could not be granted.</source>
        <translation>无法发放奖励。</translation>
    </message>
    <message>
        <source>Award granted: balance %1 points</source>
        <translation>奖励已发放：余额 %1 积分</translation>
    </message>
    <message>
        <source>Export history</source>
        <translation>导出积分明细</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>frozen</source>
        <translation>已冻结</translation>
    </message>
    <message>
        <source>FROZEN</source>
        <translation>已冻结</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>Phone %1  ·  Card %2</source>
        <translation>手机 %1  ·  卡号 %2</translation>
    </message>
    <message>
        <source>Balance: %1 points</source>
        <translation>余额：%1 积分</translation>
    </message>
    <message>
        <source>Owes %1 points from a refund; new points pay this first.</source>
        <translation>因退货欠 %1 积分，新获得的积分将优先抵扣。</translation>
    </message>
    <message>
        <source>Unfreeze</source>
        <translation>解冻</translation>
    </message>
    <message>
        <source>Points expiring within %1 days: %2</source>
        <translation>%1 天内将过期的积分：%2</translation>
    </message>
    <message>
        <source>next: %1 points on %2</source>
        <translation>下一批：%2 过期 %1 积分</translation>
    </message>
    <message>
        <source>Qualifying points (12 months): %1</source>
        <translation>定级积分（近 12 个月）：%1</translation>
    </message>
    <message>
        <source>%1 more to %2</source>
        <translation>还差 %1 积分升至%2</translation>
    </message>
    <message>
        <source>never</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Segment: %1</source>
        <translation>会员分群：%1</translation>
    </message>
    <message>
        <source>Member since %1 (store %2)</source>
        <translation>入会日期：%1（门店 %2）</translation>
    </message>
    <message>
        <source>Birthday: %1</source>
        <translation>生日：%1</translation>
    </message>
    <message>
        <source>not given</source>
        <translation>未填写</translation>
    </message>
    <message>
        <source>In tier since %1</source>
        <translation>当前等级起始日期：%1</translation>
    </message>
    <message>
        <source>Referred by %1 (%2)</source>
        <translation>推荐人：%1（%2）</translation>
    </message>
    <message>
        <source>No consent to the program's terms on record.</source>
        <translation>没有会员同意积分计划条款的记录。</translation>
    </message>
    <message>
        <source>Headquarters' records (every store)</source>
        <translation>总部记录（所有门店）</translation>
    </message>
    <message>
        <source>This till's records (headquarters did not answer)</source>
        <translation>本机记录（总部未响应）</translation>
    </message>
    <message>
        <source>This till's records</source>
        <translation>本机记录</translation>
    </message>
    <message>
        <source>Showing the latest %1 entries; the export has them all.</source>
        <translation>仅显示最近 %1 条，导出文件包含全部记录。</translation>
    </message>
    <message>
        <source>%1 entries</source>
        <translation>共 %1 条</translation>
    </message>
    <message>
        <source>Possibly registered already: %1. Ask the customer; press Register again to register a new member anyway.</source>
        <translation>可能已注册：%1。请向顾客确认；如仍要注册新会员，请再次点击注册。</translation>
    </message>
    <message>
        <source>Register anyway (Enter)</source>
        <translation>仍然注册 (Enter)</translation>
    </message>
    <message>
        <source>A member with the same details exists. Please check.</source>
        <translation>已有资料相同的会员，请核对。</translation>
    </message>
    <message>
        <source>Open the existing member: %1</source>
        <translation>打开已有会员：%1</translation>
    </message>
    <message>
        <source>%1's card number: %2</source>
        <translation>%1 的卡号：%2</translation>
    </message>
    <message>
        <source>Registered. Give the member the card number.</source>
        <translation>注册成功，请将卡号告知会员。</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <source>The member is frozen.</source>
        <translation>会员已冻结。</translation>
    </message>
    <message>
        <source>The member is active again.</source>
        <translation>会员已解冻。</translation>
    </message>
    <message>
        <source>%1 entries written to %2</source>
        <translation>已导出 %1 条记录到 %2</translation>
    </message>
</context>
<context>
    <name>MembersViewModel</name>
    <message>
        <source>Regular</source>
        <extracomment>The table shows this many entries at most; the CSV export has them all.</extracomment>
        <translation>普通会员</translation>
    </message>
    <message>
        <source>Purchase</source>
        <translation>消费</translation>
    </message>
    <message>
        <source>Paid with points</source>
        <translation>积分抵现</translation>
    </message>
    <message>
        <source>Gift</source>
        <translation>礼品</translation>
    </message>
    <message>
        <source>Award</source>
        <translation>奖励</translation>
    </message>
    <message>
        <source>Adjustment</source>
        <translation>调整</translation>
    </message>
    <message>
        <source>Refund clawback</source>
        <translation>退货扣回</translation>
    </message>
    <message>
        <source>Points returned</source>
        <translation>积分退回</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>过期</translation>
    </message>
    <message>
        <source>Imported</source>
        <translation>补录</translation>
    </message>
    <message>
        <source>Donation</source>
        <translation>积分捐赠</translation>
    </message>
    <message>
        <source>Lottery draw</source>
        <translation>积分抽奖</translation>
    </message>
    <message>
        <source>Draw prize</source>
        <translation>抽奖奖品</translation>
    </message>
    <message>
        <source>Upgrade</source>
        <translation>升级</translation>
    </message>
    <message>
        <source>Yearly review</source>
        <translation>年度评级</translation>
    </message>
    <message>
        <source>Set by hand: %1</source>
        <translation>手动设置：%1</translation>
    </message>
    <message>
        <source>purchase %1</source>
        <translation>消费积分 %1</translation>
    </message>
    <message>
        <source>first purchase</source>
        <translation>首次消费</translation>
    </message>
    <message>
        <source>birthday</source>
        <translation>生日</translation>
    </message>
    <message>
        <source>capped</source>
        <translation>已封顶</translation>
    </message>
    <message>
        <source>paid %1 yuan</source>
        <translation>抵现 %1 元</translation>
    </message>
    <message>
        <source>%1 yuan</source>
        <translation>%1 元</translation>
    </message>
    <message>
        <source>award: %1</source>
        <translation>奖励：%1</translation>
    </message>
    <message>
        <source>%1 (approved by %2)</source>
        <translation>%1（由 %2 授权）</translation>
    </message>
    <message>
        <source>refund %1</source>
        <translation>退货 %1</translation>
    </message>
    <message>
        <source>owed %1</source>
        <translation>欠 %1</translation>
    </message>
    <message>
        <source>donated to %1 (%2 yuan)</source>
        <translation>捐赠给 %1（折合 %2 元）</translation>
    </message>
    <message>
        <source>points past their expiry date</source>
        <translation>积分已过有效期</translation>
    </message>
    <message>
        <source>earned on %1</source>
        <translation>获得于 %1</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>won %1</source>
        <translation>抽中 %1</translation>
    </message>
    <message>
        <source>No member matches %1.</source>
        <translation>没有与“%1”匹配的会员。</translation>
    </message>
    <message>
        <source>Dates are written like 2026-11-03.</source>
        <translation>日期格式应为 2026-11-03。</translation>
    </message>
    <message>
        <source>The end date is before the start date.</source>
        <translation>结束日期早于开始日期。</translation>
    </message>
    <message>
        <source>Business date</source>
        <translation>营业日期</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <source>Balance after</source>
        <translation>变动后余额</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>单号</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>操作员</translation>
    </message>
    <message>
        <source>Entry ID</source>
        <translation>记录 ID</translation>
    </message>
    <message>
        <source>An export is still running.</source>
        <translation>导出仍在进行中。</translation>
    </message>
    <message>
        <source>Could not write %1.</source>
        <translation>无法写入 %1。</translation>
    </message>
    <message>
        <source>The member must agree to the program's terms (tick the box).</source>
        <translation>会员须同意积分计划条款（请勾选）。</translation>
    </message>
    <message>
        <source>Only a store manager may freeze or unfreeze a member.</source>
        <translation>仅店长可冻结或解冻会员。</translation>
    </message>
    <message>
        <source>once per member</source>
        <translation>每位会员一次</translation>
    </message>
    <message>
        <source>%1 a day</source>
        <translation>每天 %1 次</translation>
    </message>
    <message>
        <source>Please give a reason.</source>
        <translation>请填写原因。</translation>
    </message>
</context>
<context>
    <name>OtpDialog</name>
    <message>
        <source>One-time code</source>
        <translation>验证码</translation>
    </message>
    <message>
        <source>6 digits</source>
        <translation>6 位数字</translation>
    </message>
    <message>
        <source>Cancel (Esc)</source>
        <translation>取消 (Esc)</translation>
    </message>
    <message>
        <source>Verify (Enter)</source>
        <translation>验证 (Enter)</translation>
    </message>
    <message>
        <source>Type the code the member reads out.</source>
        <translation>请输入会员念出的验证码。</translation>
    </message>
</context>
<context>
    <name>Printing</name>
    <message>
        <source>not set up</source>
        <translation>未设置</translation>
    </message>
    <message>
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>out of paper</source>
        <translation>缺纸</translation>
    </message>
    <message>
        <source>cover open</source>
        <translation>纸仓盖未关</translation>
    </message>
</context>
<context>
    <name>ProductImportDialog</name>
    <message>
        <source>Import products</source>
        <translation>商品导入</translation>
    </message>
    <message>
        <source>The chain's product file (CSV from the ERP, UTF-8 or GB18030). Check it first: nothing is written while any row is wrong.</source>
        <translation>连锁总部的商品文件（ERP 导出的 CSV，UTF-8 或 GB18030）。请先检查：只要有一行有误，就不会写入任何数据。</translation>
    </message>
    <message>
        <source>File path</source>
        <translation>文件路径</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>Check (dry run)</source>
        <translation>检查（试运行）</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>关闭 (Esc)</translation>
    </message>
    <message>
        <source>Product file</source>
        <translation>商品文件</translation>
    </message>
    <message>
        <source>%1 rows, %2 valid, %3 invalid</source>
        <translation>共 %1 行，有效 %2 行，无效 %3 行</translation>
    </message>
    <message>
        <source>Imported: %1 added, %2 changed, %3 unchanged.</source>
        <translation>已导入：新增 %1 个，修改 %2 个，%3 个未变。</translation>
    </message>
    <message>
        <source>Nothing can be imported: correct these rows in the file and check again.</source>
        <translation>无法导入：请在文件中改正以下各行后重新检查。</translation>
    </message>
    <message>
        <source>line %1: %2: %3</source>
        <translation>第 %1 行：%2：%3</translation>
    </message>
    <message>
        <source>Would add %1, change %2, leave %3 unchanged. Press Import to write them.</source>
        <translation>将新增 %1 个，修改 %2 个，%3 个不变。按“导入”写入。</translation>
    </message>
    <message>
        <source>Never earn points (excluded by the program): %1</source>
        <translation>不积分的类别（积分方案排除）：%1</translation>
    </message>
</context>
<context>
    <name>ReceiptPreview</name>
    <message>
        <source>Receipt preview %1</source>
        <translation>小票预览 %1</translation>
    </message>
</context>
<context>
    <name>RefundsPage</name>
    <message>
        <source>Scan or type the receipt number, then Enter</source>
        <translation>扫描或输入小票号，然后按 Enter</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>查找</translation>
    </message>
    <message>
        <source>Clear (Esc)</source>
        <translation>清除 (Esc)</translation>
    </message>
    <message>
        <source>Refund / item</source>
        <translation>退货 / 商品</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>All lines</source>
        <translation>全选</translation>
    </message>
    <message>
        <source>No lines</source>
        <translation>全不选</translation>
    </message>
    <message>
        <source>Preview receipt</source>
        <translation>预览小票</translation>
    </message>
    <message>
        <source>Reprint</source>
        <translation>重印</translation>
    </message>
    <message>
        <source>This refund</source>
        <translation>本次退货</translation>
    </message>
    <message>
        <source>Money back</source>
        <translation>退款金额</translation>
    </message>
    <message>
        <source>Original payment</source>
        <translation>原支付方式</translation>
    </message>
    <message>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <source>Bank card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <source>WeChat Pay</source>
        <translation>微信支付</translation>
    </message>
    <message>
        <source>Alipay</source>
        <translation>支付宝</translation>
    </message>
    <message>
        <source>Refund to</source>
        <translation>退款至</translation>
    </message>
    <message>
        <source>Points taken back</source>
        <translation>扣回积分</translation>
    </message>
    <message>
        <source>Points given back</source>
        <translation>退还积分</translation>
    </message>
    <message>
        <source>Balance</source>
        <translation>余额</translation>
    </message>
    <message>
        <source>Coupon given back</source>
        <translation>退回优惠券</translation>
    </message>
    <message>
        <source>Confirm refund (F12)</source>
        <translation>确认退货 (F12)</translation>
    </message>
    <message>
        <source>Find a sale first.</source>
        <translation>请先查找一笔销售。</translation>
    </message>
    <message>
        <source>Reprint queued as print job %1.</source>
        <translation>已加入打印队列，任务号 %1。</translation>
    </message>
    <message>
        <source>Enter a receipt number to see its sale.</source>
        <translation>输入小票号以查看该笔销售。</translation>
    </message>
    <message>
        <source>refunded (%1)</source>
        <translation>已退货（%1）</translation>
    </message>
    <message>
        <source>Receipt %1</source>
        <translation>小票 %1</translation>
    </message>
    <message>
        <source>total %1</source>
        <translation>合计 %1</translation>
    </message>
    <message>
        <source>%1 points paid</source>
        <translation>抵现 %1 积分</translation>
    </message>
    <message>
        <source>coupon %1</source>
        <translation>优惠券 %1</translation>
    </message>
    <message>
        <source>%1 points earned</source>
        <translation>获得 %1 积分</translation>
    </message>
    <message>
        <source>no member</source>
        <translation>非会员</translation>
    </message>
    <message>
        <source>refunded entirely</source>
        <translation>已全部退货</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>no member: no points change</source>
        <translation>非会员：积分无变化</translation>
    </message>
    <message>
        <source>Shortfall: %1 points. The balance will be negative (%2); later earnings pay it off first.</source>
        <translation>差额：%1 积分。余额将变为负数（%2），之后获得的积分将优先抵扣。</translation>
    </message>
    <message>
        <source>Back to: %1</source>
        <translation>退回：%1</translation>
    </message>
    <message>
        <source>Refund %1: %2 back, %3 points taken back, %4 points given back</source>
        <translation>退货 %1：退款 %2，扣回 %3 积分，退还 %4 积分</translation>
    </message>
    <message>
        <source>balance %1</source>
        <translation>余额 %1</translation>
    </message>
    <message>
        <source>%1 returned points had expired and were written off.</source>
        <translation>退还的积分中有 %1 积分已过期并作废。</translation>
    </message>
    <message>
        <source>Shortfall: %1 points could not be taken back; the member owes %2 points.</source>
        <translation>差额：%1 积分未能扣回，会员现欠 %2 积分。</translation>
    </message>
    <message>
        <source>Coupon %1 is the member's again.</source>
        <translation>优惠券 %1 已退回会员账户。</translation>
    </message>
    <message>
        <source>Refund done. Give back %1.</source>
        <translation>退货完成，请退款 %1。</translation>
    </message>
</context>
<context>
    <name>RefundsViewModel</name>
    <message>
        <source>Tick the lines to refund first.</source>
        <translation>请先勾选要退货的商品。</translation>
    </message>
</context>
<context>
    <name>ReportsPage</name>
    <message>
        <source>Refresh (Ctrl+R)</source>
        <extracomment>asks where to save an export (a file dialog; tests put their own answer)</extracomment>
        <translation>刷新 (Ctrl+R)</translation>
    </message>
    <message>
        <source>Expiry run…</source>
        <translation>积分过期处理…</translation>
    </message>
    <message>
        <source>Write off the points that expired before today (managers only)</source>
        <translation>作废今天之前已过期的积分（仅限店长）</translation>
    </message>
    <message>
        <source>Reports and the expiry run are for the store manager.
Log in with a manager's staff number to see them.</source>
        <translation>报表和积分过期处理仅限店长使用。
请用店长工号登录后查看。</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>概览</translation>
    </message>
    <message>
        <source>Store report</source>
        <translation>门店报表</translation>
    </message>
    <message>
        <source>Points issued and redeemed per day, last %1 days</source>
        <translation>近 %1 天每日积分发放与兑换</translation>
    </message>
    <message>
        <source>Points liability</source>
        <translation>积分负债</translation>
    </message>
    <message>
        <source>Points outstanding</source>
        <translation>积分余额合计</translation>
    </message>
    <message>
        <source>Value as payment</source>
        <translation>可抵现金额</translation>
    </message>
    <message>
        <source>Members with points</source>
        <translation>有积分的会员</translation>
    </message>
    <message>
        <source>Owed by members</source>
        <translation>会员欠积分</translation>
    </message>
    <message>
        <source>Expiring within 30 days</source>
        <translation>30 天内过期</translation>
    </message>
    <message>
        <source>Top gifts, last %1 days</source>
        <translation>近 %1 天热门礼品</translation>
    </message>
    <message>
        <source>Gift</source>
        <translation>礼品</translation>
    </message>
    <message>
        <source>Times</source>
        <translation>次数</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <source>Member segments</source>
        <translation>会员分群</translation>
    </message>
    <message>
        <source>Segment</source>
        <translation>分群</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>会员</translation>
    </message>
    <message>
        <source>Whole phone numbers</source>
        <translation>完整手机号</translation>
    </message>
    <message>
        <source>Unticked, the list shows phones as 138****8000</source>
        <translation>不勾选时，名单中的手机号显示为 138****8000</translation>
    </message>
    <message>
        <source>Export… (Ctrl+M)</source>
        <translation>导出… (Ctrl+M)</translation>
    </message>
    <message>
        <source>The selected segment's members who agreed to marketing, for a campaign (CSV or Excel)</source>
        <translation>所选分层中同意接收营销信息的会员，用于营销活动（CSV 或 Excel）</translation>
    </message>
    <message>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <source>To</source>
        <translation>至</translation>
    </message>
    <message>
        <source>Group by</source>
        <translation>分组</translation>
    </message>
    <message>
        <source>Show (Ctrl+Enter)</source>
        <translation>查询 (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>CSV… (Ctrl+E)</source>
        <translation>导出 CSV… (Ctrl+E)</translation>
    </message>
    <message>
        <source>Excel… (Ctrl+Shift+E)</source>
        <translation>导出 Excel… (Ctrl+Shift+E)</translation>
    </message>
    <message>
        <source>Show a report first (Ctrl+Enter), then export it.</source>
        <translation>请先查询报表 (Ctrl+Enter)，再导出。</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Excel workbooks (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>Export the report</source>
        <translation>导出报表</translation>
    </message>
    <message>
        <source>Select a segment in the table first, then export its members.</source>
        <translation>请先在表中选择一个分层，再导出其会员。</translation>
    </message>
    <message>
        <source>Export the segment's members</source>
        <translation>导出分层会员</translation>
    </message>
    <message>
        <source>Excel workbooks (*.xlsx);;CSV files (*.csv)</source>
        <translation>Excel 工作簿 (*.xlsx);;CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Working… the counter stays usable.</source>
        <translation>处理中…收银可照常进行。</translation>
    </message>
    <message>
        <source>%1 to %2: %3 rows</source>
        <translation>%1 至 %2：%3 行</translation>
    </message>
    <message>
        <source>Saved %1.</source>
        <translation>已保存 %1。</translation>
    </message>
    <message>
        <source>Saved %1: %2 members (%3 without marketing consent left out), phones %4.</source>
        <translation>已保存 %1：%2 名会员（未同意营销的 %3 名未导出），手机号%4。</translation>
    </message>
    <message>
        <source>masked</source>
        <translation>已打码</translation>
    </message>
    <message>
        <source>whole</source>
        <translation>完整</translation>
    </message>
    <message>
        <source>As of %1</source>
        <translation>截至 %1</translation>
    </message>
    <message>
        <source>Issued</source>
        <translation>发放</translation>
    </message>
    <message>
        <source>Redeemed</source>
        <translation>兑换</translation>
    </message>
    <message>
        <source>No points were issued or redeemed in these days.</source>
        <translation>这段时间内没有积分发放或兑换。</translation>
    </message>
    <message>
        <source>%1 days: %2 points issued, %3 redeemed</source>
        <translation>近 %1 天：发放 %2 积分，兑换 %3 积分</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>%1 points</source>
        <translation>%1 积分</translation>
    </message>
    <message>
        <source>Nothing to expire: no points lapsed before %1.</source>
        <translation>无需处理：%1 之前没有过期的积分。</translation>
    </message>
    <message>
        <source>Dry run done: waiting for confirmation.</source>
        <translation>预检完成，等待确认。</translation>
    </message>
    <message>
        <source>%1 points of %2 members (%3 lots) expired before %4.

Write them off now? This adds an expiry entry to each member's points history and cannot be undone.</source>
        <translation>%2 位会员共 %1 积分（%3 个批次）已在 %4 之前过期。

现在作废这些积分吗？此操作会在每位会员的积分明细中添加一条过期记录，且无法撤销。</translation>
    </message>
    <message>
        <source>Expiry run</source>
        <translation>积分过期处理</translation>
    </message>
    <message>
        <source>Expire the points</source>
        <translation>作废过期积分</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Expiry run cancelled: nothing was written.</source>
        <translation>已取消积分过期处理，未做任何更改。</translation>
    </message>
    <message>
        <source>Expired %1 points of %2 members.</source>
        <translation>已作废 %2 位会员共 %1 积分。</translation>
    </message>
</context>
<context>
    <name>ReportsViewModel</name>
    <message>
        <source>Regular</source>
        <translation>普通会员</translation>
    </message>
    <message>
        <source>Cashier</source>
        <translation>收银员</translation>
    </message>
    <message>
        <source>Business day</source>
        <translation>营业日</translation>
    </message>
    <message>
        <source>Store</source>
        <translation>门店</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Sales</source>
        <translation>销售笔数</translation>
    </message>
    <message>
        <source>Member sales</source>
        <translation>会员销售笔数</translation>
    </message>
    <message>
        <source>Sales (yuan)</source>
        <translation>销售额（元）</translation>
    </message>
    <message>
        <source>Refunds</source>
        <translation>退货</translation>
    </message>
    <message>
        <source>Refunded (yuan)</source>
        <translation>退款额（元）</translation>
    </message>
    <message>
        <source>Points issued</source>
        <translation>发放积分</translation>
    </message>
    <message>
        <source>Points redeemed</source>
        <translation>兑换积分</translation>
    </message>
    <message>
        <source>Points paid at the till</source>
        <translation>抵现积分</translation>
    </message>
    <message>
        <source>Points adjusted</source>
        <translation>调整积分</translation>
    </message>
    <message>
        <source>Points clawed back</source>
        <translation>退货扣回积分</translation>
    </message>
    <message>
        <source>Points returned</source>
        <translation>积分退回</translation>
    </message>
    <message>
        <source>Points expired</source>
        <translation>过期积分</translation>
    </message>
    <message>
        <source>Gift points</source>
        <translation>礼品积分</translation>
    </message>
    <message>
        <source>Gift redemptions</source>
        <translation>礼品兑换</translation>
    </message>
    <message>
        <source>Gift cash (yuan)</source>
        <translation>礼品加价（元）</translation>
    </message>
    <message>
        <source>Coupons issued</source>
        <translation>发放优惠券</translation>
    </message>
    <message>
        <source>Coupons used</source>
        <translation>使用优惠券</translation>
    </message>
    <message>
        <source>Coupons used (yuan)</source>
        <translation>优惠券抵扣（元）</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>卡号</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>手机号</translation>
    </message>
    <message>
        <source>Tier</source>
        <translation>等级</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>积分</translation>
    </message>
    <message>
        <source>Last purchase</source>
        <translation>最近购买</translation>
    </message>
    <message>
        <source>Enrolled</source>
        <translation>注册日期</translation>
    </message>
</context>
<context>
    <name>ScanRouter</name>
    <message>
        <source>Scan ignored: log in first.</source>
        <translation>已忽略扫码：请先登录。</translation>
    </message>
    <message>
        <source>Scan ignored: finish or close the open window first.</source>
        <translation>已忽略扫码：请先完成或关闭当前打开的窗口。</translation>
    </message>
</context>
<context>
    <name>ScanTestDialog</name>
    <message>
        <source>Test scan</source>
        <translation>扫码测试</translation>
    </message>
    <message>
        <source>Scan a member card, phone number, product or coupon into the field below (a keyboard-wedge scanner types it and presses Enter).</source>
        <translation>请在下方输入框中扫描会员卡、手机号、商品或优惠券（键盘模式扫码枪会自动输入并回车）。</translation>
    </message>
    <message>
        <source>The scanner is set to a serial port: scans from it work on the cashier screens; this test reads what is typed into the field below.</source>
        <translation>扫码枪设置为串口：其扫描结果在收银界面中使用；此测试只读取在下方输入框中键入的内容。</translation>
    </message>
    <message>
        <source>Waiting for a scan…</source>
        <translation>等待扫码…</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>关闭 (Esc)</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Receipt printer</source>
        <translation>小票打印机</translation>
    </message>
    <message>
        <source>Not set up</source>
        <translation>未设置</translation>
    </message>
    <message>
        <source>USB</source>
        <translation>USB</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <source>Serial port</source>
        <translation>串口</translation>
    </message>
    <message>
        <source>File or device path</source>
        <translation>文件或设备路径</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>连接方式</translation>
    </message>
    <message>
        <source>Receipts wait in the print queue until a printer is set up.</source>
        <translation>设置打印机之前，小票会在打印队列中等待。</translation>
    </message>
    <message>
        <source>vendor:product, e.g. 04b8:0202</source>
        <translation>厂商ID:产品ID，如 04b8:0202</translation>
    </message>
    <message>
        <source>host or IP, e.g. 192.168.1.50</source>
        <translation>主机名或 IP，如 192.168.1.50</translation>
    </message>
    <message>
        <source>e.g. /dev/ttyUSB0 or COM3</source>
        <translation>如 /dev/ttyUSB0 或 COM3</translation>
    </message>
    <message>
        <source>e.g. /dev/usb/lp0</source>
        <translation>如 /dev/usb/lp0</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>%1 mm</source>
        <translation>%1 毫米</translation>
    </message>
    <message>
        <source>Paper width</source>
        <translation>纸张宽度</translation>
    </message>
    <message>
        <source>GBK (most printers sold in China)</source>
        <translation>GBK（国内销售的大多数打印机）</translation>
    </message>
    <message>
        <source>GB18030 (every character)</source>
        <translation>GB18030（全部字符）</translation>
    </message>
    <message>
        <source>GB2312 (older Chinese fonts)</source>
        <translation>GB2312（较旧的中文字库）</translation>
    </message>
    <message>
        <source>No Chinese font (ASCII only)</source>
        <translation>无中文字库（仅 ASCII）</translation>
    </message>
    <message>
        <source>Characters the printer's font lacks print as a replacement (¥ as ￥, ñ as n, others as ?); the preview shows the same.</source>
        <translation>打印机字库中没有的字符以替代字符打印（¥ 印为 ￥，ñ 印为 n，其他印为 ?）；预览显示相同内容。</translation>
    </message>
    <message>
        <source>Character set</source>
        <translation>字符集</translation>
    </message>
    <message>
        <source>Open the cash drawer after a cash sale</source>
        <translation>现金交易后打开钱箱</translation>
    </message>
    <message>
        <source>store name | address | phone</source>
        <translation>门店名称 | 地址 | 电话</translation>
    </message>
    <message>
        <source>Receipt header</source>
        <translation>小票抬头</translation>
    </message>
    <message>
        <source>e.g. Thank you for shopping with us</source>
        <translation>例如：感谢您的光临</translation>
    </message>
    <message>
        <source>Receipt footer</source>
        <translation>小票页脚</translation>
    </message>
    <message>
        <source>Test print</source>
        <translation>打印测试页</translation>
    </message>
    <message>
        <source>Scanner</source>
        <translation>扫码枪</translation>
    </message>
    <message>
        <source>Keyboard wedge (USB, types like a keyboard)</source>
        <translation>键盘模式（USB，模拟键盘输入）</translation>
    </message>
    <message>
        <source>%1 baud</source>
        <translation>%1 波特</translation>
    </message>
    <message>
        <source>Keys at most</source>
        <translation>按键间隔不超过</translation>
    </message>
    <message>
        <source>ms apart, at least</source>
        <translation>毫秒，至少</translation>
    </message>
    <message>
        <source>characters</source>
        <translation>个字符</translation>
    </message>
    <message>
        <source>A scan is</source>
        <translation>扫描判定</translation>
    </message>
    <message>
        <source>prefix</source>
        <translation>前缀</translation>
    </message>
    <message>
        <source>suffix</source>
        <translation>后缀</translation>
    </message>
    <message>
        <source>Ends with Enter or Tab</source>
        <translation>以回车或 Tab 结束</translation>
    </message>
    <message>
        <source>Ends with Enter</source>
        <translation>以回车结束</translation>
    </message>
    <message>
        <source>Ends with Tab</source>
        <translation>以 Tab 结束</translation>
    </message>
    <message>
        <source>Framing</source>
        <translation>前后缀与结束符</translation>
    </message>
    <message>
        <source>Test scan…</source>
        <translation>扫码测试…</translation>
    </message>
    <message>
        <source>Import products…</source>
        <translation>商品导入…</translation>
    </message>
    <message>
        <source>Camera (member QR codes)</source>
        <translation>摄像头（扫会员二维码）</translation>
    </message>
    <message>
        <source>No camera</source>
        <translation>没有摄像头</translation>
    </message>
    <message>
        <source>Camera %1</source>
        <translation>摄像头 %1</translation>
    </message>
    <message>
        <source>a number, /dev/video2 or rtsp://…</source>
        <translation>编号、/dev/video2 或 rtsp://…</translation>
    </message>
    <message>
        <source>Choose a camera by number, or type a device path such as /dev/video2 or a network camera's stream address such as rtsp://192.168.1.64/stream</source>
        <translation>按编号选择摄像头，或输入设备路径（如 /dev/video2）或网络摄像头的视频流地址（如 rtsp://192.168.1.64/stream）</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Automatic (zxing-cpp, then ZBar)</source>
        <translation>自动（先 zxing-cpp，再 ZBar）</translation>
    </message>
    <message>
        <source>Decoder</source>
        <translation>解码器</translation>
    </message>
    <message>
        <source>Store and headquarters</source>
        <translation>门店与总部</translation>
    </message>
    <message>
        <source>Store</source>
        <translation>门店</translation>
    </message>
    <message>
        <source>Terminal</source>
        <translation>终端</translation>
    </message>
    <message>
        <source>Headquarters address</source>
        <translation>总部地址</translation>
    </message>
    <message>
        <source>empty: the system's certificates</source>
        <translation>留空：使用系统证书</translation>
    </message>
    <message>
        <source>Headquarters CA certificate (PEM file)</source>
        <translation>总部 CA 证书（PEM 文件）</translation>
    </message>
    <message>
        <source>sent down by headquarters</source>
        <translation>由总部下发</translation>
    </message>
    <message>
        <source>Member QR code key (Ed25519, public)</source>
        <translation>会员码公钥（Ed25519）</translation>
    </message>
    <message>
        <source>ms; ask again after</source>
        <translation>毫秒；资料超过</translation>
    </message>
    <message>
        <source>s</source>
        <translation>秒后重新查询</translation>
    </message>
    <message>
        <source>Member lookup at headquarters: wait at most</source>
        <translation>向总部查询会员：最多等待</translation>
    </message>
    <message>
        <source>Keep other stores' members seen here for</source>
        <translation>其他门店的会员在本机识别后保留</translation>
    </message>
    <message>
        <source>days</source>
        <translation>天</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Window language</source>
        <translation>界面语言</translation>
    </message>
    <message>
        <source>Saved here, applied the next time the program starts.</source>
        <translation>在此保存，下次启动程序时生效。</translation>
    </message>
    <message>
        <source>Customer display</source>
        <translation>客显</translation>
    </message>
    <message>
        <source>On a second screen, when there is one</source>
        <translation>有第二块屏幕时在其上显示</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>A window on this screen</source>
        <translation>在本屏幕上以窗口显示</translation>
    </message>
    <message>
        <source>Shown</source>
        <translation>显示方式</translation>
    </message>
    <message>
        <source>Self-enrolment address (a QR code between customers)</source>
        <translation>自助注册地址（顾客间隙显示其二维码）</translation>
    </message>
    <message>
        <source>seconds</source>
        <translation>秒</translation>
    </message>
    <message>
        <source>Thanks shown for</source>
        <translation>致谢显示</translation>
    </message>
    <message>
        <source>About</source>
        <translation>关于</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>数据库</translation>
    </message>
    <message>
        <source>Backups folder</source>
        <translation>备份文件夹</translation>
    </message>
    <message>
        <source>Logs folder</source>
        <translation>日志文件夹</translation>
    </message>
    <message>
        <source>Last automatic backup</source>
        <translation>上次自动备份</translation>
    </message>
    <message>
        <source>Loyalty program</source>
        <translation>积分方案</translation>
    </message>
    <message>
        <source>App version</source>
        <translation>软件版本</translation>
    </message>
    <message>
        <source>Undo changes (Esc)</source>
        <translation>撤销修改 (Esc)</translation>
    </message>
    <message>
        <source>Save (Enter)</source>
        <translation>保存 (Enter)</translation>
    </message>
    <message>
        <source>No camera configured: members are identified by card, phone number or scanner.</source>
        <translation>未配置摄像头：通过卡号、手机号或扫码枪识别会员。</translation>
    </message>
    <message>
        <source>Camera %1 reads member QR codes, member cards and product barcodes at checkout; its picture is shown beside the member.</source>
        <translation>摄像头 %1 在收银时读取会员码、会员卡和商品条码；画面显示在会员信息旁。</translation>
    </message>
    <message>
        <source>none yet</source>
        <translation>尚无</translation>
    </message>
    <message>
        <source>Only a manager imports products: log in as a manager.</source>
        <translation>只有店长可以导入商品：请以店长身份登录。</translation>
    </message>
    <message>
        <source>The devices use the new settings now.</source>
        <translation>设备已按新设置工作。</translation>
    </message>
    <message>
        <source>Test page queued as print job %1. It prints when the printer is ready; until then it waits in the print queue.</source>
        <translation>测试页已加入打印队列（任务 %1）。打印机就绪后即打印，在此之前保留在打印队列中。</translation>
    </message>
    <message>
        <source>Unsaved changes were put back.</source>
        <translation>未保存的修改已撤销。</translation>
    </message>
    <message>
        <source>points</source>
        <translation>积分</translation>
    </message>
    <message>
        <source>Gift hint within</source>
        <translation>礼品提示距离</translation>
    </message>
    <message>
        <source>%1, version %2 (%3)</source>
        <translation>%1，版本 %2（%3）</translation>
    </message>
    <message>
        <source>Nothing changed.</source>
        <translation>没有任何修改。</translation>
    </message>
    <message>
        <source>Settings saved.</source>
        <translation>设置已保存。</translation>
    </message>
    <message>
        <source>The new language is applied the next time the program starts.</source>
        <translation>新语言将在下次启动程序时生效。</translation>
    </message>
    <message>
        <source>Manager approval</source>
        <translation>店长授权</translation>
    </message>
</context>
<context>
    <name>SettingsViewModel</name>
    <message>
        <source>Printer connection</source>
        <translation>打印机连接方式</translation>
    </message>
    <message>
        <source>Printer USB id</source>
        <translation>打印机 USB ID</translation>
    </message>
    <message>
        <source>Printer host</source>
        <translation>打印机主机</translation>
    </message>
    <message>
        <source>Printer port</source>
        <translation>打印机端口</translation>
    </message>
    <message>
        <source>Printer serial port</source>
        <translation>打印机串口</translation>
    </message>
    <message>
        <source>Printer file</source>
        <translation>打印机文件</translation>
    </message>
    <message>
        <source>Paper width</source>
        <translation>纸张宽度</translation>
    </message>
    <message>
        <source>Scanner connection</source>
        <translation>扫码枪连接方式</translation>
    </message>
    <message>
        <source>Character set</source>
        <translation>字符集</translation>
    </message>
    <message>
        <source>Scanner serial port</source>
        <translation>扫码枪串口</translation>
    </message>
    <message>
        <source>Scanner baud rate</source>
        <translation>扫码枪波特率</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Headquarters address</source>
        <translation>总部地址</translation>
    </message>
    <message>
        <source>Headquarters CA certificate</source>
        <translation>总部 CA 证书</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Cash drawer</source>
        <translation>钱箱</translation>
    </message>
    <message>
        <source>Receipt header</source>
        <translation>小票抬头</translation>
    </message>
    <message>
        <source>Receipt footer</source>
        <translation>小票页脚</translation>
    </message>
    <message>
        <source>Time between scanner keys</source>
        <translation>扫码按键间隔</translation>
    </message>
    <message>
        <source>Shortest scan</source>
        <translation>最短扫描长度</translation>
    </message>
    <message>
        <source>Scanner prefix</source>
        <translation>扫码前缀</translation>
    </message>
    <message>
        <source>Scanner suffix</source>
        <translation>扫码后缀</translation>
    </message>
    <message>
        <source>Scan ending</source>
        <translation>扫描结束符</translation>
    </message>
    <message>
        <source>Decoder</source>
        <translation>解码器</translation>
    </message>
    <message>
        <source>Member QR code key</source>
        <translation>会员码公钥</translation>
    </message>
    <message>
        <source>Member lookup wait</source>
        <translation>会员查询等待时间</translation>
    </message>
    <message>
        <source>Member lookup age</source>
        <translation>会员资料有效时间</translation>
    </message>
    <message>
        <source>Days other stores' members stay</source>
        <translation>其他门店会员保留天数</translation>
    </message>
    <message>
        <source>Customer display</source>
        <translation>客显</translation>
    </message>
    <message>
        <source>Self-enrolment address</source>
        <translation>自助注册地址</translation>
    </message>
    <message>
        <source>Gift distance</source>
        <translation>礼品提示距离</translation>
    </message>
    <message>
        <source>Thanks after a sale</source>
        <translation>结账后致谢时长</translation>
    </message>
    <message>
        <source>vendor:product in hex, e.g. 04b8:0202</source>
        <translation>十六进制的“厂商ID:产品ID”，如 04b8:0202</translation>
    </message>
    <message>
        <source>a host name or IP address, e.g. 192.168.1.50</source>
        <translation>主机名或 IP 地址，如 192.168.1.50</translation>
    </message>
    <message>
        <source>a whole number from 1 to 65535, usually 9100</source>
        <translation>1 到 65535 之间的整数，通常为 9100</translation>
    </message>
    <message>
        <source>e.g. /dev/ttyUSB0 or COM3</source>
        <translation>如 /dev/ttyUSB0 或 COM3</translation>
    </message>
    <message>
        <source>a full path, e.g. /dev/usb/lp0</source>
        <translation>完整路径，如 /dev/usb/lp0</translation>
    </message>
    <message>
        <source>an https:// address, e.g. https://hq.example.com (http:// only to this computer)</source>
        <translation>https:// 地址，例如 https://hq.example.com（http:// 仅限本机）</translation>
    </message>
    <message>
        <source>a full path to a PEM file, e.g. /etc/pos-app/hq-ca.pem</source>
        <translation>PEM 文件的完整路径，例如 /etc/pos-app/hq-ca.pem</translation>
    </message>
    <message>
        <source>a camera number from 0 to 9, a device path such as /dev/video2 or a stream address such as rtsp://192.168.1.64/stream, without a password</source>
        <translation>0 到 9 的摄像头编号、设备路径（如 /dev/video2）或视频流地址（如 rtsp://192.168.1.64/stream），地址中不能含密码</translation>
    </message>
    <message>
        <source>a whole number of milliseconds from 5 to 500</source>
        <translation>5 到 500 之间的整数毫秒</translation>
    </message>
    <message>
        <source>a whole number from 2 to 64</source>
        <translation>2 到 64 之间的整数</translation>
    </message>
    <message>
        <source>at most 8 printable ASCII characters</source>
        <translation>最多 8 个可打印 ASCII 字符</translation>
    </message>
    <message>
        <source>43 characters of base64url from headquarters</source>
        <translation>总部提供的 43 个字符的 base64url 文本</translation>
    </message>
    <message>
        <source>at most 200 characters, lines separated by |</source>
        <translation>最多 200 个字符，用 | 分行</translation>
    </message>
    <message>
        <source>at most 200 characters</source>
        <translation>最多 200 个字符</translation>
    </message>
    <message>
        <source>a whole number of milliseconds from 50 to 10000</source>
        <translation>50 到 10000 之间的整数（毫秒）</translation>
    </message>
    <message>
        <source>a whole number of seconds from 0 to 86400</source>
        <translation>0 到 86400 之间的整数（秒）</translation>
    </message>
    <message>
        <source>a whole number of days from 30 to 3650</source>
        <translation>30 到 3650 之间的整数天数</translation>
    </message>
    <message>
        <source>an http(s) address, e.g. https://m.example.com/join?store=S001</source>
        <translation>http(s) 地址，例如 https://m.example.com/join?store=S001</translation>
    </message>
    <message>
        <source>a whole number of points from 0 to 1000000</source>
        <translation>0 到 1000000 之间的整数积分</translation>
    </message>
    <message>
        <source>a whole number of seconds from 1 to 600</source>
        <translation>1 到 600 之间的整数秒</translation>
    </message>
    <message>
        <source>%1 is needed for this connection.</source>
        <translation>此连接方式需要填写%1。</translation>
    </message>
    <message>
        <source>%1 is not valid.</source>
        <translation>%1无效。</translation>
    </message>
    <message>
        <source>%1 is not valid: %2.</source>
        <translation>%1无效（%2）。</translation>
    </message>
    <message>
        <source>A store manager must approve changing: %1</source>
        <translation>修改以下设置需要店长授权：%1</translation>
    </message>
    <message>
        <source>Member card %1</source>
        <translation>会员卡 %1</translation>
    </message>
    <message>
        <source>Mainland mobile number %1</source>
        <translation>大陆手机号 %1</translation>
    </message>
    <message>
        <source>Product barcode %1 (%2)</source>
        <translation>商品条码 %1（%2）</translation>
    </message>
    <message>
        <source>not in the catalogue</source>
        <translation>不在商品目录中</translation>
    </message>
    <message>
        <source>Coupon code %1</source>
        <translation>优惠券码 %1</translation>
    </message>
    <message>
        <source>Member code for card %1</source>
        <translation>会员码，卡号 %1</translation>
    </message>
    <message>
        <source>Gift %1</source>
        <translation>礼品 %1</translation>
    </message>
    <message>
        <source>Receipt number %1</source>
        <translation>小票号 %1</translation>
    </message>
    <message>
        <source>Nothing was read.</source>
        <translation>未读取到任何内容。</translation>
    </message>
    <message>
        <source>Unknown code %1: not a member card, phone number, product barcode or coupon</source>
        <translation>无法识别的码 %1：不是会员卡、手机号、商品条码或优惠券</translation>
    </message>
</context>
<context>
    <name>StaffPage</name>
    <message>
        <source>Only a store manager manages staff: log in as a manager.</source>
        <translation>只有店长可以管理员工：请用店长账号登录。</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>工号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Staff member</source>
        <translation>员工</translation>
    </message>
    <message>
        <source>3 to 8 digits</source>
        <translation>3 到 8 位数字</translation>
    </message>
    <message>
        <source>Cashier</source>
        <translation>收银员</translation>
    </message>
    <message>
        <source>Store manager</source>
        <translation>店长</translation>
    </message>
    <message>
        <source>4 to 8 digits</source>
        <translation>4 到 8 位数字</translation>
    </message>
    <message>
        <source>Staff number</source>
        <translation>工号</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>PIN again</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <source>Add (Enter)</source>
        <translation>添加 (Enter)</translation>
    </message>
    <message>
        <source>Reset PIN (Ctrl+P)</source>
        <translation>重置密码 (Ctrl+P)</translation>
    </message>
    <message>
        <source>Disable / enable (Ctrl+D)</source>
        <translation>停用 / 启用 (Ctrl+D)</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>在用</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>%1 (%2) added.</source>
        <translation>已添加 %1 (%2)。</translation>
    </message>
    <message>
        <source>The two PINs differ: type the same PIN twice.</source>
        <translation>两次输入的密码不一致：请输入相同的密码两次。</translation>
    </message>
    <message>
        <source>The PIN of %1 was reset.</source>
        <translation>%1 的密码已重置。</translation>
    </message>
    <message>
        <source>%1 enabled.</source>
        <translation>%1 已启用。</translation>
    </message>
    <message>
        <source>%1 disabled: they can no longer log in.</source>
        <translation>%1 已停用：不能再登录。</translation>
    </message>
</context>
<context>
    <name>SuspendedDialog</name>
    <message>
        <source>Suspended sales</source>
        <translation>挂单列表</translation>
    </message>
    <message>
        <source>Discard (Del)</source>
        <translation>作废 (Del)</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>关闭 (Esc)</translation>
    </message>
    <message>
        <source>Resume (Enter)</source>
        <translation>取单 (Enter)</translation>
    </message>
    <message>
        <source>%1  ·  %2 lines  ·  %3</source>
        <translation>%1  ·  %2 行  ·  %3</translation>
    </message>
    <message>
        <source>No suspended sales.</source>
        <translation>没有挂单。</translation>
    </message>
</context>
<context>
    <name>Sync</name>
    <message>
        <source>online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>error</source>
        <translation>出错</translation>
    </message>
</context>
<context>
    <name>WorkArea</name>
    <message>
        <source>Close shift</source>
        <translation>交班</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <source>Ctrl+F12</source>
        <translation>Ctrl+F12</translation>
    </message>
</context>
</TS>